/* logs.c — finding a hive's transaction logs beside it.  Hives copied off
 * a Windows volume keep Windows' case-insensitive names in whatever case the
 * copy tool chose (SYSTEM.LOG1, system.log1, System.Log1), so the directory
 * is scanned instead of guessing spellings. */
#include "bootlens/hive.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const log_suffixes[] = {".LOG", ".LOG1", ".LOG2"};

/* Contract: see hive.h.  Logs come back in the order .LOG, .LOG1, .LOG2 (the
 * order Windows consults them); when several spellings of one name exist
 * (possible on a case-sensitive file system), the first in directory order
 * is taken, and the others are ignored. */
size_t bl_find_logs(const char *hive_path, char **paths, size_t max)
{
    if (!hive_path || !*hive_path || max == 0)
        return 0;
    const char *slash = strrchr(hive_path, '/');
    const char *base = slash ? slash + 1 : hive_path;
    size_t dir_len = slash ? (size_t)(slash - hive_path) : 0;
    size_t base_len = strlen(base);
    if (base_len == 0)
        return 0;

    char *dir = slash ? bl_xstrndup(hive_path, dir_len ? dir_len : 1) : bl_xstrdup(".");
    DIR *d = opendir(dir);
    if (!d) {
        free(dir);
        return 0;
    }
    char *found[BL_ARRAY_LEN(log_suffixes)] = {0};
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        size_t len = strlen(name);
        if (len <= base_len || strncasecmp(name, base, base_len) != 0)
            continue;
        for (size_t i = 0; i < BL_ARRAY_LEN(log_suffixes); i++) {
            if (found[i] || strcasecmp(name + base_len, log_suffixes[i]) != 0)
                continue;
            bl_sb sb = {0};
            if (slash)
                bl_sb_addn(&sb, hive_path, dir_len + 1); /* keeps "/" for a hive at the root */
            bl_sb_add(&sb, name);
            found[i] = bl_sb_detach(&sb);
        }
    }
    closedir(d);
    free(dir);

    size_t n = 0;
    for (size_t i = 0; i < BL_ARRAY_LEN(log_suffixes); i++) {
        if (found[i] && n < max)
            paths[n++] = found[i];
        else
            free(found[i]);
    }
    return n;
}
