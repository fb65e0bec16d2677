/* select.c — which decorated section Windows uses on a given target.
 *
 * An INF carries variants of its models and install sections for several
 * architectures and Windows versions, told apart by a decoration after the
 * base name: Models.NTamd64.10.0...16299, Install.NTx86, Install.NT.
 * Microsoft's "INF Manufacturer Section", "Combining Platform Extensions
 * with Operating System Versions" and "INF File Platform Extensions and
 * x64-Based Systems" give the rules implemented here. */
#include "inf_internal.h"

#include <string.h>

static const char *const arch_names[] = {
    [BL_INF_ARCH_X86] = "x86", [BL_INF_ARCH_AMD64] = "amd64", [BL_INF_ARCH_IA64] = "ia64",
    [BL_INF_ARCH_ARM] = "arm", [BL_INF_ARCH_ARM64] = "arm64",
};

void bl_inf_target_init(bl_inf_target *t)
{
    t->arch = BL_INF_ARCH_AMD64;
    t->major = 10;
    t->minor = 0;
    t->build = 19041;
    t->product_type = 1;   /* VER_NT_WORKSTATION */
    t->suite_mask = 0x100; /* VER_SUITE_SINGLEUSERTS, set on every client Windows */
}

const char *bl_inf_arch_name(bl_inf_arch arch)
{
    return (unsigned)arch < BL_ARRAY_LEN(arch_names) ? arch_names[arch] : "?";
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static int arch_from(const char *s, size_t n, bl_inf_arch *out)
{
    for (size_t a = 0; a < BL_ARRAY_LEN(arch_names); a++) {
        if (strlen(arch_names[a]) != n)
            continue;
        size_t i = 0;
        while (i < n && ascii_lower(s[i]) == arch_names[a][i])
            i++;
        if (i == n) {
            *out = (bl_inf_arch)a;
            return 0;
        }
    }
    return -1;
}

int bl_inf_parse_arch(const char *s, bl_inf_arch *out)
{
    return arch_from(s, strlen(s), out);
}

int bl_inf_parse_decoration(const char *s, size_t n, bl_inf_decoration *d)
{
    memset(d, 0, sizeof *d);
    if (n < 2 || ascii_lower(s[0]) != 'n' || ascii_lower(s[1]) != 't')
        return -1;
    size_t i = 2, start = i;
    while (i < n && s[i] != '.')
        i++;
    if (i > start) {
        if (arch_from(s + start, i - start, &d->arch) < 0)
            return -1;
        d->has_arch = true;
    }
    /* major . minor . product-type . suite-mask . build, each optional. */
    uint32_t *fields[] = {&d->major, &d->minor, &d->product_type, &d->suite_mask, &d->build};
    size_t field = 0;
    while (i < n) {
        i++; /* the '.' */
        start = i;
        while (i < n && s[i] != '.')
            i++;
        if (field == BL_ARRAY_LEN(fields))
            return -1;
        if (i > start) {
            char num[24];
            if (i - start >= sizeof num)
                return -1;
            memcpy(num, s + start, i - start);
            num[i - start] = '\0';
            if (num[0] == '-' || bl_inf_parse_u32(num, fields[field]) < 0)
                return -1;
            if (field < 2)
                d->has_version = true;
        }
        field++;
    }
    return 0;
}

bool bl_inf_decoration_applies(const bl_inf_decoration *d, const bl_inf_target *t, bool models)
{
    if (d->has_arch ? d->arch != t->arch : models && t->arch != BL_INF_ARCH_X86)
        return false;
    if (d->has_version) {
        if (t->major < d->major || (t->major == d->major && t->minor < d->minor))
            return false;
        /* A build number counts only when major.minor match exactly. */
        if (t->major == d->major && t->minor == d->minor && t->build < d->build)
            return false;
    }
    if (d->product_type && d->product_type != t->product_type)
        return false;
    return (t->suite_mask & d->suite_mask) == d->suite_mask;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
    return a > b ? 1 : a < b ? -1 : 0;
}

static int popcount(uint32_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

int bl_inf_decoration_cmp(const bl_inf_decoration *a, const bl_inf_decoration *b)
{
    int c;
    /* "a specific version number takes precedence over the product type and
     * suite mask" (INF Manufacturer Section). */
    if ((c = cmp_u32(a->has_version ? a->major : 0, b->has_version ? b->major : 0)) != 0)
        return c;
    if ((c = cmp_u32(a->has_version ? a->minor : 0, b->has_version ? b->minor : 0)) != 0)
        return c;
    if ((c = cmp_u32(a->build, b->build)) != 0)
        return c;
    if ((c = cmp_u32(a->has_arch, b->has_arch)) != 0)
        return c;
    if ((c = cmp_u32(a->product_type != 0, b->product_type != 0)) != 0)
        return c;
    return popcount(a->suite_mask) - popcount(b->suite_mask);
}

static bool arch_placeholder_at(const char *s, size_t n, size_t i)
{
    return i + 6 <= n && s[i] == '$' && s[i + 5] == '$' && ascii_lower(s[i + 1]) == 'a' &&
           ascii_lower(s[i + 2]) == 'r' && ascii_lower(s[i + 3]) == 'c' &&
           ascii_lower(s[i + 4]) == 'h';
}

bool inf_has_arch_placeholder(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (arch_placeholder_at(s, n, i))
            return true;
    }
    return false;
}

const char *inf_stamp(const char *s, size_t n, const char *arch, bl_sb *tmp, size_t *len)
{
    *len = n;
    if (!inf_has_arch_placeholder(s, n))
        return s;
    bl_sb_reset(tmp);
    for (size_t i = 0; i < n;) {
        if (arch_placeholder_at(s, n, i)) {
            bl_sb_add(tmp, arch);
            i += 6;
        } else {
            bl_sb_addc(tmp, s[i++]);
        }
    }
    *len = tmp->len;
    return bl_sb_str(tmp);
}

static void add_decorated_link(bl_inf *inf, const char *name, size_t k, uint32_t section,
                               bl_sb *tmp)
{
    bl_sb_reset(tmp);
    bl_sb_addn(tmp, name, k);
    uint32_t unused;
    const char *key = bl_sb_str(tmp);
    if (!inf_index_get(&inf->nt_index, key, &unused))
        key = inf_strn(inf, name, k); /* the index keeps it */
    bool added;
    uint32_t *head = inf_index_ref(&inf->nt_index, key, &added);
    bl_grow((void **)&inf->nt_links, sizeof *inf->nt_links, &inf->nt_links_cap, inf->nt_nlinks + 1);
    inf->nt_links[inf->nt_nlinks][0] = section;
    inf->nt_links[inf->nt_nlinks][1] = *head;
    *head = ++inf->nt_nlinks;
}

void inf_index_decorated(bl_inf *inf)
{
    bl_sb tmp = {0};
    for (uint32_t i = 0; i < inf->nsections; i++) {
        /* A decoration starts with "nt" and holds no other ".nt", so the
         * base is what precedes the last ".nt" (the first one too, should a
         * suffix contain ".nt"). */
        const char *name = inf->folded[i];
        const char *first = strstr(name, ".nt"), *last = first;
        if (!first)
            continue;
        for (const char *q = first; (q = strstr(q + 1, ".nt")) != NULL;)
            last = q;
        add_decorated_link(inf, name, (size_t)(first - name), i, &tmp);
        if (last != first)
            add_decorated_link(inf, name, (size_t)(last - name), i, &tmp);
    }
    bl_sb_free(&tmp);
}

static bool same_target(const bl_inf_target *a, const bl_inf_target *b)
{
    return a->arch == b->arch && a->major == b->major && a->minor == b->minor &&
           a->build == b->build && a->product_type == b->product_type &&
           a->suite_mask == b->suite_mask;
}

/* The best decorated base.<decoration>[.suffix] for t, or -1. */
static int64_t best_decorated(const bl_inf *inf, const char *folded_base, const char *folded_tail,
                              const bl_inf_target *t)
{
    uint32_t link;
    if (!inf_index_get(&inf->nt_index, folded_base, &link))
        return -1;
    size_t head = strlen(folded_base) + 1, tail = strlen(folded_tail);
    int64_t best = -1;
    bl_inf_decoration best_dec;
    bl_sb tmp = {0};
    for (; link; link = inf->nt_links[link - 1][1]) {
        uint32_t i = inf->nt_links[link - 1][0];
        const char *name = inf->folded[i];
        size_t n = strlen(name);
        if (n < head + tail || strncmp(name, folded_base, head - 1) != 0 ||
            strcmp(name + n - tail, folded_tail) != 0)
            continue;
        bl_inf_decoration d;
        size_t len;
        const char *dec =
            inf_stamp(name + head, n - head - tail, bl_inf_arch_name(t->arch), &tmp, &len);
        if (bl_inf_parse_decoration(dec, len, &d) < 0 || !bl_inf_decoration_applies(&d, t, false))
            continue;
        /* Links run backwards; on a tie the section written first wins. */
        int c = best < 0 ? 1 : bl_inf_decoration_cmp(&d, &best_dec);
        if (c > 0 || (c == 0 && i < best)) {
            best = i;
            best_dec = d;
        }
    }
    bl_sb_free(&tmp);
    return best;
}

const bl_inf_section *bl_inf_select_section(const bl_inf *inf, const char *base, const char *suffix,
                                            const bl_inf_target *t)
{
    /* The apply step asks about the same install section once per model
     * line; the memo keeps that linear.  It changes nothing the caller can
     * see, hence the cast. */
    bl_inf *memo = (bl_inf *)inf;
    if (!same_target(&memo->memo_target, t)) {
        inf_index_free(&memo->select_memo);
        memo->memo_target = *t;
    }
    bl_sb key = {0}, folded_base = {0}, folded_tail = {0};
    bl_fold_append(&folded_base, base, strlen(base));
    if (suffix && *suffix) {
        bl_sb_addc(&folded_tail, '.');
        bl_fold_append(&folded_tail, suffix, strlen(suffix));
    }
    bl_sb_addf(&key, "%s\x1f%s", bl_sb_str(&folded_base), bl_sb_str(&folded_tail));
    uint32_t v;
    if (!inf_index_get(&memo->select_memo, bl_sb_str(&key), &v)) {
        int64_t best = best_decorated(inf, bl_sb_str(&folded_base), bl_sb_str(&folded_tail), t);
        if (best < 0) {
            /* No decoration fits: the undecorated section, if any. */
            bl_sb_add(&folded_base, bl_sb_str(&folded_tail));
            uint32_t plain;
            if (inf_index_get(&inf->section_index, bl_sb_str(&folded_base), &plain))
                best = plain;
        }
        v = best < 0 ? 0 : (uint32_t)best + 1;
        inf_index_put(&memo->select_memo, inf_strn(memo, key.buf, key.len), v);
    }
    bl_sb_free(&key);
    bl_sb_free(&folded_base);
    bl_sb_free(&folded_tail);
    return v ? &inf->sections[v - 1] : NULL;
}

bool inf_any_install_section(const bl_inf *inf, const char *base)
{
    if (bl_inf_find_section(inf, base))
        return true;
    bl_sb folded = {0};
    bl_fold_append(&folded, base, strlen(base));
    uint32_t link;
    bool found = inf_index_get(&inf->nt_index, bl_sb_str(&folded), &link);
    bl_sb_free(&folded);
    return found;
}

static void describe_target(const bl_inf_target *t, bl_sb *sb)
{
    bl_sb_addf(sb, "%s Windows %u.%u build %u", bl_inf_arch_name(t->arch), t->major, t->minor,
               t->build);
}

bl_inf_models_result bl_inf_select_models(const bl_inf *inf, const bl_inf_line *mfg,
                                          const bl_inf_target *t, const bl_inf_section **out,
                                          bl_sb *name, bl_error *err)
{
    *out = NULL;
    const char *base = bl_inf_value_at(mfg, 0);
    if (!base || !base[0]) {
        bl_inf_error_at(inf, mfg->line_no, err, "[Manufacturer] entry names no models section");
        return BL_INF_MODELS_MISSING;
    }
    const char *best = NULL;
    bl_inf_decoration best_dec;
    bl_sb tmp = {0};
    for (uint32_t v = 1; v < mfg->nvalues; v++) {
        const char *text = mfg->values[v].text;
        bl_inf_decoration d;
        size_t len;
        const char *dec = inf_stamp(text, strlen(text), bl_inf_arch_name(t->arch), &tmp, &len);
        if (!text[0] || bl_inf_parse_decoration(dec, len, &d) < 0 ||
            !bl_inf_decoration_applies(&d, t, true))
            continue;
        if (!best || bl_inf_decoration_cmp(&d, &best_dec) > 0) {
            best = text;
            best_dec = d;
        }
    }
    bl_sb chosen = {0}, what = {0};
    bl_inf_models_result rc;
    describe_target(t, &what);
    if (!best && t->arch != BL_INF_ARCH_X86) {
        /* Since Windows Server 2003 SP1 only x86 falls back to an
         * undecorated models section. */
        bl_inf_error_at(inf, mfg->line_no, err,
                        "no decoration of the [Manufacturer] entry for %s fits %s; Windows "
                        "installs nothing from it there",
                        base, bl_sb_str(&what));
        rc = BL_INF_MODELS_NOT_FOR_TARGET;
    } else {
        bl_sb_add(&chosen, base);
        if (best)
            bl_sb_addf(&chosen, ".%s", best);
        *out = bl_inf_find_section(inf, bl_sb_str(&chosen));
        rc = *out ? BL_INF_MODELS_FOUND : BL_INF_MODELS_MISSING;
        if (!*out)
            bl_inf_error_at(inf, mfg->line_no, err,
                            "models section [%s], which Windows uses on %s, is not in the INF",
                            bl_sb_str(&chosen), bl_sb_str(&what));
        if (name)
            bl_sb_add(name, bl_sb_str(&chosen));
    }
    bl_sb_free(&chosen);
    bl_sb_free(&what);
    bl_sb_free(&tmp);
    return rc;
}
