/* regtext.c — a boot model from regedit-style text instead of a hive file:
 * the built-in lint baseline (data/baseline.txt), test_hives/ sources and
 * .reg exports given as `lint --baseline`.  Values are collected first, so
 * that Select and HardwareConfig choose the control set and StartOverride
 * value wherever they appear, then handed to bl_model_apply_value as the
 * hive loader hands hive values to the setters. */
#include "bootlens/hive.h"
#include "bootlens/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REGTEXT_MAX_BYTES (64u << 20)
#define REGTEXT_MAX_INCLUDE_DEPTH 8

typedef struct rt_value {
    char *key;  /* below the hive root, '\'-separated, as written */
    char *name; /* "" for the default value */
    uint32_t type;
    uint8_t *data;
    size_t size;
    bool del;
} rt_value;

/* A text compiled in, which !include can name instead of a file. */
typedef struct rt_part {
    const char *name;
    const char *text;
} rt_part;

typedef struct rt_state {
    rt_value *v;
    uint32_t n, cap;
    bl_error *err;
    int depth;
    const rt_part *parts; /* the texts !include names when reading no file */
    size_t nparts;
} rt_state;

typedef struct rt_source {
    const char *label;
    const char *dir; /* for !include; NULL refuses it */
    uint32_t line;
    char *key;       /* current key */
} rt_source;

static int rt_fail(rt_state *st, const rt_source *src, const char *fmt, const char *arg)
{
    bl_sb sb = {0};
    bl_sb_addf(&sb, "%s:%u: ", src->label, src->line);
    bl_sb_addf(&sb, fmt, arg);
    bl_error_set(st->err, "%s", bl_sb_str(&sb));
    bl_sb_free(&sb);
    return -1;
}

static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* A quoted string with regedit's escapes (\\ and \") into out; returns the
 * position after the closing quote, or NULL. */
static const char *quoted(const char *p, bl_sb *out)
{
    if (*p != '"')
        return NULL;
    for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && (p[1] == '\\' || p[1] == '"'))
            p++;
        bl_sb_addc(out, *p);
    }
    return *p == '"' ? p + 1 : NULL;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
}

/* 1 to max_digits hex digits; returns the position after them or NULL. */
static const char *hex_number(const char *p, int max_digits, uint64_t *out)
{
    uint64_t v = 0;
    int n = 0;
    for (; hex_digit(*p) >= 0; p++, n++) {
        if (n == max_digits)
            return NULL;
        v = v * 16 + (uint64_t)hex_digit(*p);
    }
    *out = v;
    return n ? p : NULL;
}

static void add_u16le_string(bl_sb *data, const char *s, size_t n)
{
    bl_utf8_to_utf16le(s, n, data);
    bl_sb_addn(data, "\0", 2);
}

/* Parses the data after '=' into type/data; NULL on malformed input. */
static const char *parse_data(const char *p, uint32_t *type, bl_sb *data, bool *del)
{
    *del = false;
    bl_sb s = {0};
    const char *end = NULL;
    if (*p == '-') {
        *del = true;
        end = p + 1;
    } else if (*p == '"') {
        *type = BL_REG_SZ;
        if ((end = quoted(p, &s)))
            add_u16le_string(data, bl_sb_str(&s), s.len);
    } else if (bl_fold_has_prefix(p, "expand:")) {
        *type = BL_REG_EXPAND_SZ;
        if ((end = quoted(p + 7, &s)))
            add_u16le_string(data, bl_sb_str(&s), s.len);
    } else if (bl_fold_has_prefix(p, "multi:")) {
        *type = BL_REG_MULTI_SZ;
        const char *q = skip_blanks(p + 6);
        bool first = true;
        end = q;
        while (*q && *q != ';') {
            if (!first) {
                if (*q != ',') {
                    end = NULL;
                    break;
                }
                q = skip_blanks(q + 1);
            }
            bl_sb_reset(&s);
            if (!(end = quoted(q, &s)))
                break;
            add_u16le_string(data, bl_sb_str(&s), s.len);
            q = skip_blanks(end);
            first = false;
        }
        bl_sb_addn(data, "\0", 2);
    } else if (bl_fold_has_prefix(p, "dword:") || bl_fold_has_prefix(p, "qword:")) {
        bool q = (p[0] | 0x20) == 'q';
        uint64_t v;
        *type = q ? BL_REG_QWORD : BL_REG_DWORD;
        if ((end = hex_number(p + 6, q ? 16 : 8, &v)))
            for (int i = 0; i < (q ? 8 : 4); i++)
                bl_sb_addc(data, (char)((v >> (8 * i)) & 0xFF));
    } else if (bl_fold_has_prefix(p, "hex")) {
        end = p + 3;
        uint64_t t = BL_REG_BINARY;
        if (*end == '(') {
            end = hex_number(end + 1, 8, &t);
            end = end && *end == ')' ? end + 1 : NULL;
        }
        end = end && *end == ':' ? end + 1 : NULL;
        *type = (uint32_t)t;
        while (end && *(end = skip_blanks(end)) && *end != ';') {
            uint64_t b;
            const char *after = hex_number(end, 2, &b);
            if (!after) {
                end = NULL;
                break;
            }
            bl_sb_addc(data, (char)b);
            end = skip_blanks(after);
            if (*end == ',')
                end++;
            else if (*end && *end != ';')
                end = NULL;
        }
    }
    bl_sb_free(&s);
    return end;
}

/* The key as the hive root sees it: without a HKLM\SYSTEM prefix. */
static char *normalize_key(const char *k, size_t n)
{
    static const char *const prefixes[] = {"HKEY_LOCAL_MACHINE\\SYSTEM\\", "HKLM\\SYSTEM\\", "\\"};
    char *s = bl_xstrndup(k, n);
    for (size_t i = 0; i < BL_ARRAY_LEN(prefixes); i++)
        if (bl_fold_has_prefix(s, prefixes[i])) {
            memmove(s, s + strlen(prefixes[i]), strlen(s) - strlen(prefixes[i]) + 1);
            i = 0;
        }
    return s;
}

static int parse_text(rt_state *st, const char *label, const char *text, size_t size, const char *dir);

static int include_file(rt_state *st, rt_source *src, const char *name)
{
    if (st->depth >= REGTEXT_MAX_INCLUDE_DEPTH)
        return rt_fail(st, src, "!include %s: nested too deeply", name);
    if (!src->dir) {
        for (size_t i = 0; i < st->nparts; i++)
            if (strcmp(st->parts[i].name, name) == 0) {
                st->depth++;
                int rc = parse_text(st, name, st->parts[i].text, strlen(st->parts[i].text), NULL);
                st->depth--;
                return rc;
            }
        return rt_fail(st, src, "!include %s: not available for this text", name);
    }
    bl_sb path = {0};
    if (name[0] == '/' || !*src->dir)
        bl_sb_add(&path, name);
    else
        bl_sb_addf(&path, "%s/%s", src->dir, name);
    uint8_t *data;
    size_t size;
    bl_error e;
    if (bl_read_file(bl_sb_str(&path), REGTEXT_MAX_BYTES, &data, &size, &e) != 0) {
        bl_sb_free(&path);
        return rt_fail(st, src, "!include: %s", e.msg);
    }
    char *sub = bl_xstrdup(bl_sb_str(&path));
    char *slash = strrchr(sub, '/');
    if (slash)
        *slash = '\0';
    else
        sub[0] = '\0';
    st->depth++;
    int rc = parse_text(st, bl_sb_str(&path), (const char *)data, size, sub);
    st->depth--;
    free(sub);
    free(data);
    bl_sb_free(&path);
    return rc;
}

static int parse_line(rt_state *st, rt_source *src, const char *line)
{
    const char *p = skip_blanks(line);
    if (!*p || *p == ';' || *p == '#' || bl_fold_has_prefix(p, "Windows Registry Editor") ||
        bl_fold_has_prefix(p, "REGEDIT4"))
        return 0;
    if (*p == '!') {
        if (bl_fold_has_prefix(p, "!include") && (p[8] == ' ' || p[8] == '\t')) {
            const char *f = skip_blanks(p + 8);
            size_t n = strlen(f);
            while (n && (f[n - 1] == ' ' || f[n - 1] == '\t'))
                n--;
            char *name = bl_xstrndup(f, n);
            int rc = include_file(st, src, name);
            free(name);
            return rc;
        }
        return 0; /* !name, !seq...: about a hive file, not its content */
    }
    if (*p == '[') {
        if (p[1] == '-')
            return rt_fail(st, src, "%s: deleting keys is not supported", p);
        const char *close = strrchr(p, ']');
        if (!close || *skip_blanks(close + 1))
            return rt_fail(st, src, "%s: a key header must end with ']'", p);
        free(src->key);
        src->key = normalize_key(p + 1, (size_t)(close - p - 1));
        return 0;
    }
    if (*p != '"' && *p != '@')
        return rt_fail(st, src, "%s: expected [key], \"name\"=value or @=value", p);
    if (!src->key)
        return rt_fail(st, src, "%s: a value before any [key]", p);
    bl_sb name = {0}, data = {0};
    const char *q = *p == '@' ? p + 1 : quoted(p, &name);
    uint32_t type = 0;
    bool del = false;
    q = q ? skip_blanks(q) : NULL;
    if (q && *q == '=')
        q = parse_data(skip_blanks(q + 1), &type, &data, &del);
    else
        q = NULL;
    if (q) {
        q = skip_blanks(q);
        if (*q && *q != ';')
            q = NULL;
    }
    if (!q) {
        bl_sb_free(&name);
        bl_sb_free(&data);
        return rt_fail(st, src, "%s: malformed value (see test_hives/README.md for the format)", p);
    }
    bl_grow((void **)&st->v, sizeof *st->v, &st->cap, st->n + 1);
    rt_value *v = &st->v[st->n++];
    v->key = bl_xstrdup(src->key);
    v->name = bl_sb_detach(&name);
    v->type = type;
    v->size = data.len;
    v->data = (uint8_t *)bl_sb_detach(&data);
    v->del = del;
    return 0;
}

/* Splits text into lines, joining those that end in '\' (regedit wraps
 * long hex data that way), and parses each. */
static int parse_text(rt_state *st, const char *label, const char *text, size_t size, const char *dir)
{
    bl_sb utf8 = {0};
    if (size >= 2 && (uint8_t)text[0] == 0xFF && (uint8_t)text[1] == 0xFE) {
        bl_utf16le_to_utf8((const uint8_t *)text + 2, size - 2, &utf8);
        text = bl_sb_str(&utf8);
        size = utf8.len;
    } else if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        size -= 3;
    }
    rt_source src = {label, dir, 0, NULL};
    bl_sb line = {0};
    int rc = 0;
    size_t pos = 0;
    uint32_t physical = 0, start = 0;
    while (pos < size && rc == 0) {
        size_t end = pos;
        while (end < size && text[end] != '\n' && text[end] != '\0')
            end++;
        physical++;
        if (!line.len)
            start = physical;
        if (end < size && text[end] == '\0') {
            src.line = physical;
            rc = rt_fail(st, &src, "%s", "NUL byte: binary data, not text");
            break;
        }
        const char *piece = text + pos, *stop = text + end;
        while (stop > piece && (stop[-1] == '\r' || stop[-1] == ' ' || stop[-1] == '\t'))
            stop--;
        if (line.len)
            while (piece < stop && (*piece == ' ' || *piece == '\t'))
                piece++;
        bool more = stop > piece && stop[-1] == '\\' && end < size;
        bl_sb_addn(&line, piece, (size_t)(stop - piece) - more);
        pos = end + 1;
        if (more)
            continue;
        src.line = start;
        rc = parse_line(st, &src, bl_sb_str(&line));
        bl_sb_reset(&line);
    }
    bl_sb_free(&line);
    bl_sb_free(&utf8);
    free(src.key);
    return rc;
}

static bool key_is(const char *key, const char *name)
{
    return bl_fold_eq(key, name);
}

static bool value_dword(const rt_value *v, uint32_t *out)
{
    bl_value bv = {v->name, v->type, v->data, v->size};
    return !v->del && bl_value_dword(&bv, out, NULL);
}

/* The part of key below control set cs ("ControlSet001"), or NULL. */
static const char *below_control_set(const char *key, const char *cs)
{
    static const char ccs[] = "CurrentControlSet";
    size_t n = strlen(cs);
    if (bl_fold_has_prefix(key, cs) && (key[n] == '\\' || !key[n]))
        return key[n] ? key + n + 1 : key + n;
    n = sizeof ccs - 1;
    if (bl_fold_has_prefix(key, ccs) && (key[n] == '\\' || !key[n]))
        return key[n] ? key + n + 1 : key + n;
    return NULL;
}

static int choose_control_set(bl_model *m, const rt_state *st, const char *label, const bl_load_options *opt,
                              uint32_t *out, bl_error *err)
{
    for (uint32_t i = 0; i < st->n; i++) {
        const rt_value *v = &st->v[i];
        if (key_is(v->key, "Select")) {
            m->has_select = true;
            if (bl_fold_eq(v->name, "Current"))
                value_dword(v, &m->select_current);
            else if (bl_fold_eq(v->name, "Default"))
                value_dword(v, &m->select_default);
            else if (bl_fold_eq(v->name, "LastKnownGood"))
                value_dword(v, &m->select_lkg);
            else if (bl_fold_eq(v->name, "Failed"))
                value_dword(v, &m->select_failed);
        } else if (key_is(v->key, "HardwareConfig") && bl_fold_eq(v->name, "LastId")) {
            m->has_hardware_config = value_dword(v, &m->hardware_config_id);
        }
    }
    return bl_model_select_control_set(m, opt ? opt->control_set : NULL, label, out, err);
}

static int load_regtext(bl_model *m, const char *label, const char *text, size_t size, const char *dir,
                        const rt_part *parts, size_t nparts, const bl_load_options *opt, bl_error *err)
{
    rt_state st = {NULL, 0, 0, err, 0, parts, nparts};
    int rc = parse_text(&st, label, text, size, dir);
    uint32_t n = 0;
    if (rc == 0)
        rc = choose_control_set(m, &st, label, opt, &n, err);
    if (rc == 0) {
        char cs[32];
        snprintf(cs, sizeof cs, "ControlSet%03u", n);
        m->control_set = n;
        m->control_set_name = bl_pool_str(m->pool, cs);
        bool any = false;
        for (uint32_t i = 0; i < st.n; i++) {
            const rt_value *v = &st.v[i];
            const char *rel = below_control_set(v->key, cs);
            if (!rel)
                continue;
            any = true;
            /* As the hive loader: StartOverride counts only with a HardwareConfig. */
            if (!m->has_hardware_config && bl_fold_has_prefix(rel, "Services\\") && strchr(rel + 9, '\\') &&
                bl_fold_eq(strchr(rel + 9, '\\') + 1, "StartOverride"))
                continue;
            if (v->del)
                bl_model_apply_delete(m, rel, v->name);
            else
                bl_model_apply_value(m, rel, v->name, v->type, v->data, v->size);
        }
        if (!any) {
            bl_error_set(err, "%s: %s does not exist in this text", label, cs);
            rc = -1;
        } else if (m->nservices == 0) {
            bl_error_set(err, "%s: %s\\Services holds no service", label, cs);
            rc = -1;
        }
    }
    for (uint32_t i = 0; i < st.n; i++) {
        free(st.v[i].key);
        free(st.v[i].name);
        free(st.v[i].data);
    }
    free(st.v);
    if (rc == 0) {
        bl_model_build_tree(m);
        bl_model_detect_loader(m);
    }
    return rc;
}

int bl_model_load_regtext(bl_model *m, const char *label, const char *text, size_t size, const char *dir,
                          const bl_load_options *opt, bl_error *err)
{
    return load_regtext(m, label, text, size, dir, NULL, 0, opt, err);
}

int bl_model_load_regtext_file(bl_model *m, const char *path, const bl_load_options *opt, bl_error *err)
{
    uint8_t *data;
    size_t size;
    if (bl_read_file(path, REGTEXT_MAX_BYTES, &data, &size, err) != 0)
        return -1;
    char *dir = bl_xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        dir[0] = '\0';
    int rc = bl_model_load_regtext(m, path, (const char *)data, size, dir, opt, err);
    free(dir);
    free(data);
    return rc;
}

/* data/baseline*.txt, compiled in (Makefile: data/NAME.txt -> bl_builtin_NAME). */
extern const char bl_builtin_baseline[], bl_builtin_baseline_tags1[], bl_builtin_baseline_tags2[],
    bl_builtin_baseline_tags3[], bl_builtin_baseline_boot1[], bl_builtin_baseline_boot2[],
    bl_builtin_baseline_services[], bl_builtin_baseline_classext[], bl_builtin_baseline_devices[];

int bl_model_load_builtin_baseline(bl_model *m, bl_error *err)
{
    static const rt_part parts[] = {
        {"baseline_tags1.txt", bl_builtin_baseline_tags1},
        {"baseline_tags2.txt", bl_builtin_baseline_tags2},
        {"baseline_tags3.txt", bl_builtin_baseline_tags3},
        {"baseline_boot1.txt", bl_builtin_baseline_boot1},
        {"baseline_boot2.txt", bl_builtin_baseline_boot2},
        {"baseline_services.txt", bl_builtin_baseline_services},
        {"baseline_classext.txt", bl_builtin_baseline_classext},
        {"baseline_devices.txt", bl_builtin_baseline_devices},
    };
    return load_regtext(m, "baseline.txt", bl_builtin_baseline, strlen(bl_builtin_baseline), NULL, parts,
                        BL_ARRAY_LEN(parts), NULL, err);
}

bool bl_regtext_detect(const uint8_t *data, size_t size)
{
    bl_sb head = {0};
    const char *p;
    if (size >= 2 && data[0] == 0xFF && data[1] == 0xFE) {
        bl_utf16le_to_utf8(data + 2, size - 2 < 512 ? size - 2 : 512, &head);
    } else {
        size_t skip = size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        bl_sb_addn(&head, (const char *)data + skip, size - skip < 512 ? size - skip : 512);
    }
    p = bl_sb_str(&head);
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    bool text = *p == '[' || *p == ';' || *p == '#' || *p == '!' || bl_fold_has_prefix(p, "Windows Registry Editor") ||
                bl_fold_has_prefix(p, "REGEDIT4");
    bl_sb_free(&head);
    return text;
}
