/* dirid.c — directory ids (DIRIDs): the numbers INF files write as %12%
 * for directories (Microsoft's "Using Dirids"), and the ImagePath Windows
 * derives from a ServiceBinary such as %12%\foo.sys.  Offline there is no
 * C:\Windows to expand them to, so directories are rendered the way the
 * registry and the user read them: %SystemRoot%-relative. */
#include "inf_internal.h"

#include <string.h>

#define DRIVER_STORE "System32\\DriverStore\\FileRepository"

static const struct {
    int32_t id;
    const char *readable;
    const char *under_root; /* path below %SystemRoot%, NULL when elsewhere */
} dirids[] = {
    {1, "<INF source directory>", NULL},
    {10, "%SystemRoot%", ""},
    {11, "%SystemRoot%\\System32", "System32"},
    {12, "%SystemRoot%\\System32\\drivers", "System32\\drivers"},
    {13, "%SystemRoot%\\" DRIVER_STORE "\\<package>", DRIVER_STORE},
    {17, "%SystemRoot%\\INF", "INF"},
    {18, "%SystemRoot%\\Help", "Help"},
    {20, "%SystemRoot%\\Fonts", "Fonts"},
    {21, "%SystemRoot%\\System32\\Viewers", "System32\\Viewers"},
    {23, "%SystemRoot%\\System32\\spool\\drivers\\color", "System32\\spool\\drivers\\color"},
    {24, "%SystemDrive%", NULL},
    {25, "%SystemRoot%", ""},
    {30, "<boot partition root>", NULL},
    {50, "%SystemRoot%\\System", "System"},
    {51, "%SystemRoot%\\System32\\spool", "System32\\spool"},
    {52, "%SystemRoot%\\System32\\spool\\drivers", "System32\\spool\\drivers"},
    {53, "%USERPROFILE%", NULL},
    {54, "<boot partition root>", NULL},
    {55, "%SystemRoot%\\System32\\spool\\prtprocs", "System32\\spool\\prtprocs"},
    {16406, "%ProgramData%\\Microsoft\\Windows\\Start Menu", NULL},
    {16407, "%ProgramData%\\Microsoft\\Windows\\Start Menu\\Programs", NULL},
    {16408, "%ProgramData%\\Microsoft\\Windows\\Start Menu\\Programs\\Startup", NULL},
    {16409, "%PUBLIC%\\Desktop", NULL},
    {16415, "%PUBLIC%\\Favorites", NULL},
    {16419, "%ProgramData%", NULL},
    {16422, "%ProgramFiles%", NULL},
    {16425, "%SystemRoot%\\SysWOW64", "SysWOW64"},
    {16426, "%ProgramFiles(x86)%", NULL},
    {16427, "%CommonProgramFiles%", NULL},
    {16428, "%CommonProgramFiles(x86)%", NULL},
    {16429, "%ProgramData%\\Microsoft\\Windows\\Templates", NULL},
    {16430, "%PUBLIC%\\Documents", NULL},
};

static int dirid_index(int32_t id)
{
    for (size_t i = 0; i < BL_ARRAY_LEN(dirids); i++) {
        if (dirids[i].id == id)
            return (int)i;
    }
    return -1;
}

const char *bl_inf_dirid_dir(int32_t dirid)
{
    int i = dirid_index(dirid);
    return i < 0 ? NULL : dirids[i].readable;
}

/* Length of a %dirid% token at s (s[0] == '%'), its value in *id; 0 when s
 * does not start with one. */
static size_t dirid_token(const char *s, int32_t *id)
{
    size_t i = 1;
    bool neg = s[i] == '-';
    if (neg)
        i++;
    int64_t v = 0;
    size_t digits = i;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        v = v * 10 + (s[i] - '0');
        if (v > 0x7FFFFFFF)
            return 0;
    }
    if (i == digits || s[i] != '%')
        return 0;
    *id = (int32_t)(neg ? -v : v);
    return i + 1;
}

uint32_t bl_inf_expand_dirids(const char *path, bl_sb *out)
{
    uint32_t unknown = 0;
    const char *s = path;
    while (*s) {
        int32_t id;
        size_t len = *s == '%' ? dirid_token(s, &id) : 0;
        if (!len) {
            bl_sb_addc(out, *s++);
            continue;
        }
        const char *dir = bl_inf_dirid_dir(id);
        if (dir) {
            bl_sb_add(out, dir);
        } else {
            bl_sb_addn(out, s, len);
            unknown++;
        }
        s += len;
    }
    return unknown;
}

void bl_inf_driver_store_dir(const bl_inf *inf, const bl_inf_target *t, bl_sb *out)
{
    const char *name = bl_inf_name(inf);
    const char *base = name;
    for (const char *s = name; *s; s++) {
        if (*s == '/' || *s == '\\')
            base = s + 1;
    }
    size_t n = strlen(base);
    /* The store keeps the name lower-cased; an .inx is stamped to .inf. */
    bl_fold_append(out, base, n);
    if (n >= 4 && strcmp(out->buf + out->len - 4, ".inx") == 0)
        out->buf[out->len - 1] = 'f';
    bl_sb_addf(out, "_%s_*", bl_inf_arch_name(t->arch));
}

int bl_inf_image_path(const char *service_binary, uint32_t service_type,
                      const char *driver_store_dir, bl_sb *out)
{
    const char *s = service_binary;
    bool kernel = service_type < 0x10; /* kernel, file system, adapter, recognizer */
    int32_t id;
    size_t len = s[0] == '%' ? dirid_token(s, &id) : 0;
    if (len) {
        const char *rest = s + len;
        int i = dirid_index(id);
        if (i < 0 || (rest[0] && rest[0] != '\\'))
            return -1;
        if (!dirids[i].under_root) {
            bl_sb_add(out, dirids[i].readable);
            bl_sb_add(out, rest);
            return 1;
        }
        bl_sb_add(out, kernel ? "\\SystemRoot" : "%SystemRoot%");
        if (dirids[i].under_root[0])
            bl_sb_addf(out, "\\%s", dirids[i].under_root);
        if (id == 13)
            bl_sb_addf(out, "\\%s", driver_store_dir ? driver_store_dir : "<package>");
        bl_sb_add(out, rest);
        return 0;
    }
    bool letter = (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z');
    bool drive = letter && s[1] == ':' && s[2] == '\\';
    if (!drive)
        return -1;
    if (kernel)
        bl_sb_add(out, "\\??\\");
    bl_sb_add(out, s);
    return 0;
}
