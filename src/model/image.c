/* image.c — which file a service runs, in one comparable form.  Location
 * rules (driver-image-user-writable) judge the image, never the arguments
 * of a command line, and must see "\SystemRoot\System32\x.sys",
 * "system32\x.sys", "%SystemRoot%\System32\x.sys" and
 * "\??\C:\Windows\System32\x.sys" as the same file. */
#include "bootlens/model.h"

#include <string.h>

/* Well-known environment variables as Windows expands them by default; a
 * user's own folder is "\users\*" (any profile). */
static const struct {
    const char *var, *folder;
} variables[] = {
    {"%systemroot%", "\\windows"},
    {"%windir%", "\\windows"},
    {"%systemdrive%", ""},
    {"%programfiles%", "\\program files"},
    {"%programfiles(x86)%", "\\program files (x86)"},
    {"%programw6432%", "\\program files"},
    {"%commonprogramfiles%", "\\program files\\common files"},
    {"%commonprogramfiles(x86)%", "\\program files (x86)\\common files"},
    {"%programdata%", "\\programdata"},
    {"%allusersprofile%", "\\programdata"},
    {"%public%", "\\users\\public"},
    {"%userprofile%", "\\users\\*"},
    {"%appdata%", "\\users\\*\\appdata\\roaming"},
    {"%localappdata%", "\\users\\*\\appdata\\local"},
    {"%temp%", "\\users\\*\\appdata\\local\\temp"},
    {"%tmp%", "\\users\\*\\appdata\\local\\temp"},
};

static bool starts_folded(const char *s, const char *prefix, size_t *len)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < n; i++) {
        char a = s[i], b = prefix[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a + 32);
        if (a == '/')
            a = '\\';
        if (a != b)
            return false;
    }
    *len = n;
    return true;
}

void bl_path_normalize(const char *path, bl_sb *sb)
{
    const char *p = path;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n;
    /* Object-manager and Win32 device prefixes. */
    if (starts_folded(p, "\\??\\", &n) || starts_folded(p, "\\\\?\\", &n) || starts_folded(p, "\\\\.\\", &n) ||
        starts_folded(p, "\\dosdevices\\", &n) || starts_folded(p, "\\global??\\", &n))
        p += n;
    if (starts_folded(p, "\\device\\harddiskvolume", &n)) {
        p += n;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    bl_sb out = {0};
    if (((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z') && p[1] == ':') {
        p += 2;
    } else if (starts_folded(p, "\\systemroot", &n) && (p[n] == '\\' || p[n] == '/' || !p[n])) {
        bl_sb_add(&out, "\\windows");
        p += n;
    } else if (*p == '%') {
        for (size_t i = 0; i < BL_ARRAY_LEN(variables); i++)
            if (starts_folded(p, variables[i].var, &n)) {
                bl_sb_add(&out, variables[i].folder);
                p += n;
                break;
            }
    }
    if (!out.len && *p != '\\' && *p != '/' && *p != '%')
        bl_sb_add(&out, "\\windows\\"); /* relative: the kernel takes it below \SystemRoot */
    for (; *p; p++) {
        char c = *p == '/' ? '\\' : *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c == '\\' && out.len && out.buf[out.len - 1] == '\\')
            continue;
        bl_sb_addc(&out, c);
    }
    /* Trailing blanks of a hand-edited value. */
    while (out.len && (out.buf[out.len - 1] == ' ' || out.buf[out.len - 1] == '\t'))
        out.buf[--out.len] = '\0';
    bl_sb_add(sb, bl_sb_str(&out));
    bl_sb_free(&out);
}

static bool ends_with_image_extension(const char *s, size_t n)
{
    static const char *const ext[] = {".exe", ".sys", ".dll", ".com"};
    if (n < 4)
        return false;
    for (size_t i = 0; i < BL_ARRAY_LEN(ext); i++) {
        size_t k;
        if (starts_folded(s + n - 4, ext[i], &k))
            return true;
    }
    return false;
}

bool bl_service_image_file(const bl_model *m, uint32_t svc, bl_sb *sb, bl_sb *spelled)
{
    const bl_service *s = &m->services[svc];
    const char *ip = s->image_path ? bl_model_str(m, s->image_path) : "";
    while (*ip == ' ' || *ip == '\t')
        ip++;
    if (bl_service_is_driver(s)) {
        bl_sb def = {0};
        if (*ip == '"') { /* a quoted driver path: the quotes are not part of it */
            const char *end = strchr(ip + 1, '"');
            bl_sb_addn(&def, ip + 1, end ? (size_t)(end - ip - 1) : strlen(ip + 1));
            ip = bl_sb_str(&def);
        } else if (!*ip) {
            bl_sb_addf(&def, "System32\\drivers\\%s.sys", bl_model_str(m, s->name));
            ip = bl_sb_str(&def);
        }
        bl_path_normalize(ip, sb);
        if (spelled)
            bl_sb_add(spelled, ip);
        bl_sb_free(&def);
        return true;
    }
    if (!*ip)
        return false;
    bl_sb first = {0};
    if (*ip == '"') {
        const char *end = strchr(ip + 1, '"');
        size_t len = end ? (size_t)(end - ip - 1) : strlen(ip + 1);
        bl_sb_addn(&first, ip + 1, len);
    } else {
        /* Unquoted: CreateProcess tries "C:\Program", then "C:\Program
         * Files\..." — the first prefix naming an image file is the one a
         * healthy system runs. */
        size_t len = strlen(ip), cut = len;
        const char *sp = ip;
        while ((sp = strchr(sp, ' ')) != NULL) {
            if (ends_with_image_extension(ip, (size_t)(sp - ip))) {
                cut = (size_t)(sp - ip);
                break;
            }
            sp++;
        }
        if (cut == len && !ends_with_image_extension(ip, len)) {
            const char *space = strchr(ip, ' ');
            cut = space ? (size_t)(space - ip) : len;
        }
        bl_sb_addn(&first, ip, cut);
    }
    bl_path_normalize(bl_sb_str(&first), sb);
    if (spelled)
        bl_sb_add(spelled, bl_sb_str(&first));
    bl_sb_free(&first);
    return true;
}
