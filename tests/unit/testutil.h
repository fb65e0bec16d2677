/* testutil.h — shared helpers for the CMocka unit tests: locating ../shared
 * and skipping cleanly when it is absent. */
#ifndef BOOTLENS_TESTUTIL_H
#define BOOTLENS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

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

#endif
