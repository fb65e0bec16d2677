/* testutil.h — shared helpers for the CMocka unit tests: locating ../shared
 * and skipping cleanly when it is absent. */
#ifndef BOOTLENS_TESTUTIL_H
#define BOOTLENS_TESTUTIL_H

#include <dirent.h>
#include <setjmp.h>
#include <strings.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

/* Calls fn on every .inf and .inx file below dir (recursively). */
static inline void bl_test_for_each_inf(const char *dir, void (*fn)(const char *path, void *ctx), void *ctx)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        struct stat sb;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= sizeof path || stat(path, &sb) != 0)
            continue;
        size_t n = strlen(e->d_name);
        if (S_ISDIR(sb.st_mode))
            bl_test_for_each_inf(path, fn, ctx);
        else if (n >= 4 && (!strcasecmp(e->d_name + n - 4, ".inf") || !strcasecmp(e->d_name + n - 4, ".inx")))
            fn(path, ctx);
    }
    closedir(d);
}

/* Directory of the shared test data (env SHARED, default ../shared), or NULL
 * when it is not there. */
static inline const char *bl_test_shared_dir(void)
{
    const char *d = getenv("SHARED");
    if (!d || !*d)
        d = "../shared";
    struct stat st;
    if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return d;
}

/* Skips the current test with a clear message when ../shared is absent. */
#define BL_REQUIRE_SHARED(var)                                                                    \
    const char *var = bl_test_shared_dir();                                                       \
    do {                                                                                          \
        if (!var) {                                                                               \
            fprintf(stderr, "SKIP %s: ../shared is absent (set SHARED=DIR to run it)\n", __func__); \
            skip();                                                                               \
        }                                                                                         \
    } while (0)

/* Decompresses SHARED/rel (an .xz file) into a temporary file; returns its
 * path (static buffer per call site is the caller's business: copy it). */
static inline int bl_test_unxz(const char *shared, const char *rel, char *out, size_t outsz)
{
    static int counter;
    snprintf(out, outsz, "/tmp/bootlens-test-%d-%d", (int)getpid(), counter++);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "xz -dc '%s/%s' > '%s'", shared, rel, out);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- building models in a few lines (no hive file) ---- */
#ifdef BOOTLENS_MODEL_H
/* A driver: Type 1, the given Start, Group ("" = none) and Tag (<0 = none). */
static inline uint32_t tm_driver(bl_model *m, const char *name, int start, const char *group, int tag)
{
    char path[256];
    snprintf(path, sizeof path, "Services\\%s", name);
    bl_model_set_dword(m, path, "Type", 1);
    bl_model_set_dword(m, path, "Start", (uint32_t)start);
    if (group && *group)
        bl_model_set_sz(m, path, "Group", group);
    if (tag >= 0)
        bl_model_set_dword(m, path, "Tag", (uint32_t)tag);
    return bl_model_find_service(m, name);
}

static inline void tm_groups(bl_model *m, const char *const *groups, uint32_t n)
{
    bl_model_set_multi(m, "Control\\ServiceGroupOrder", "List", groups, n);
}

/* GroupOrderList\<group> = tags (count first, as Windows stores it). */
static inline void tm_tags(bl_model *m, const char *group, const uint32_t *tags, uint32_t n)
{
    uint8_t buf[4 + 4 * 64];
    uint32_t all[65];
    all[0] = n;
    for (uint32_t i = 0; i < n && i < 64; i++)
        all[i + 1] = tags[i];
    for (uint32_t i = 0; i <= n && i < 65; i++) {
        buf[4 * i] = (uint8_t)all[i];
        buf[4 * i + 1] = (uint8_t)(all[i] >> 8);
        buf[4 * i + 2] = (uint8_t)(all[i] >> 16);
        buf[4 * i + 3] = (uint8_t)(all[i] >> 24);
    }
    bl_model_apply_value(m, "Control\\GroupOrderList", group, 3, buf, 4 + 4 * (size_t)n);
}

/* A device with its class, function driver and parent prefix. */
static inline uint32_t tm_device(bl_model *m, const char *id, const char *class_guid, const char *service)
{
    char path[512];
    snprintf(path, sizeof path, "Enum\\%s", id);
    bl_model_add_device(m, id);
    if (class_guid)
        bl_model_set_sz(m, path, "ClassGUID", class_guid);
    if (service)
        bl_model_set_sz(m, path, "Service", service);
    return bl_model_find_device(m, id);
}

/* The loader order of a start type as "a,b,c". */
static inline void tm_order(const bl_model *m, int start, char *out, size_t size)
{
    uint32_t *order;
    uint32_t n = bl_sim_loader_order(m, start, m->has_boot_driver_flags ? m->boot_driver_flags : 0, "Ntfs", &order);
    out[0] = '\0';
    size_t len = 0;
    for (uint32_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s", i ? "," : "",
                                bl_model_str(m, m->services[order[i]].name));
    free(order);
}

/* The boot phase of a timeline: names in position order (pulled filters
 * where PnP initialized them). */
static inline void tm_timeline_order(const bl_model *m, const bl_timeline *t, char *out, size_t size)
{
    out[0] = '\0';
    size_t len = 0;
    for (uint32_t i = 0; i < t->boot_count; i++)
        len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s", i ? "," : "",
                                bl_model_str(m, m->services[t->loads[i].service].name));
}
#endif

#endif
