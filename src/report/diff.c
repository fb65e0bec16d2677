/* diff.c — `bootlens diff`: what changed between two boot configurations
 * (two hives, or two control sets of one): services and their boot values,
 * ServiceGroupOrder and GroupOrderList, class and device filters, devices,
 * the boot load order, and the findings that are new or gone.  The answer
 * to "what did that install change". */
#include "bootlens/report.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

typedef struct diff_out {
    FILE *out;
    bool json;
    cJSON *root;
    cJSON *changes; /* array of {kind, what, before, after} */
    uint32_t count;
    const char *section; /* current text section, printed before its first line */
    bool section_printed;
    /* The last-write times of the keys of the entity being compared (A's
     * and B's, FILETIME, 0 unknown), shown once with its first change. */
    uint64_t written_a, written_b;
    bool written_shown;
    bool verbose;                  /* text: every change (else BL_TEXT_LIST_CAP per section) */
    unsigned width;                /* text: wrap to this many columns (0: do not) */
    uint32_t in_section, hidden;   /* text: changes of the current section, and those not shown */
} diff_out;

/* The keys the next changes come from. */
static void keys_written(diff_out *d, uint64_t a, uint64_t b)
{
    d->written_a = a;
    d->written_b = b;
    d->written_shown = false;
}

static cJSON *time_or_null(uint64_t ft)
{
    if (!ft)
        return cJSON_CreateNull();
    bl_sb sb = {0};
    bl_filetime_text(ft, &sb);
    cJSON *j = cJSON_CreateString(bl_sb_str(&sb));
    bl_sb_free(&sb);
    return j;
}

/* The count of what the current section did not show. */
static void section_end(diff_out *d)
{
    if (d->hidden)
        fprintf(d->out, "  ... and %u more (--verbose lists them all)\n", d->hidden);
    d->hidden = d->in_section = 0;
}

static void section(diff_out *d, const char *title)
{
    section_end(d);
    d->section = title;
    d->section_printed = false;
}

/* One change: kind (added, removed, changed, moved), what it is about, the
 * values before and after (NULL when not applicable). */
static void change(diff_out *d, const char *kind, const char *what, const char *before, const char *after)
{
    d->count++;
    if (d->json) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "section", d->section);
        cJSON_AddStringToObject(c, "kind", kind);
        cJSON_AddStringToObject(c, "what", what);
        cJSON_AddItemToObject(c, "before", before ? cJSON_CreateString(before) : cJSON_CreateNull());
        cJSON_AddItemToObject(c, "after", after ? cJSON_CreateString(after) : cJSON_CreateNull());
        cJSON_AddItemToObject(c, "a_last_written", time_or_null(d->written_a));
        cJSON_AddItemToObject(c, "b_last_written", time_or_null(d->written_b));
        cJSON_AddItemToArray(d->changes, c);
        return;
    }
    if (!d->section_printed) {
        fprintf(d->out, "\n%s:\n", d->section);
        d->section_printed = true;
    }
    if (++d->in_section > BL_TEXT_LIST_CAP && !d->verbose) {
        d->hidden++;
        return;
    }
    char mark = kind[0] == 'a' ? '+' : kind[0] == 'r' ? '-' : '~';
    bl_sb line = {0};
    bl_sb_addf(&line, "%c %s", mark, what);
    if (before && after)
        bl_sb_addf(&line, ": %s -> %s", before, after);
    else if (after)
        bl_sb_addf(&line, ": %s", after);
    else if (before)
        bl_sb_addf(&line, " (was %s)", before);
    /* Values are shown as they are: wrapping (which joins words with one
     * blank) only for a line that holds no run of blanks, tab, newline or
     * edge blank a value could owe its difference to. */
    const char *l = bl_sb_str(&line);
    bool verbatim = !d->width || line.len + 2 <= d->width || strstr(l, "  ") || strpbrk(l, "\t\n\r") ||
                    (before && (*before == ' ' || (*before && before[strlen(before) - 1] == ' '))) ||
                    (after && (*after == ' ' || (*after && after[strlen(after) - 1] == ' ')));
    if (verbatim)
        fprintf(d->out, "  %s\n", l);
    else {
        fputs("  ", d->out);
        bl_print_wrapped(d->out, l, 2, "      ", d->width);
    }
    bl_sb_free(&line);
    if ((d->written_a || d->written_b) && !d->written_shown) {
        /* When it was written: what a forensics timeline needs. */
        bl_sb ta = {0}, tb = {0};
        bl_filetime_text(d->written_a, &ta);
        bl_filetime_text(d->written_b, &tb);
        if (!d->written_b)
            fprintf(d->out, "      key last written (in A): %s\n", bl_sb_str(&ta));
        else if (!d->written_a)
            fprintf(d->out, "      key last written: %s\n", bl_sb_str(&tb));
        else if (d->written_a == d->written_b)
            fprintf(d->out, "      key last written: %s (in A and B)\n", bl_sb_str(&ta));
        else
            fprintf(d->out, "      key last written: A %s, B %s\n", bl_sb_str(&ta), bl_sb_str(&tb));
        bl_sb_free(&ta);
        bl_sb_free(&tb);
        d->written_shown = true;
    }
}

/* The items of a list value: comma-separated as in the registry (JSON), or
 * with a space after each comma (text, so that a long list wraps between
 * its items, not inside a group name). */
static const char *list_sep(const diff_out *d)
{
    return d->json ? "," : ", ";
}

static void vec_text(const diff_out *d, const bl_model *m, bl_vec v, bl_sb *sb)
{
    uint32_t n = bl_pool_vec_len(m->pool, v);
    const uint32_t *it = bl_pool_vec_items(m->pool, v);
    for (uint32_t i = 0; i < n; i++)
        bl_sb_addf(sb, "%s%s", i ? list_sep(d) : "", bl_model_str(m, it[i]));
}

static bool vec_eq(const bl_model *a, bl_vec va, const bl_model *b, bl_vec vb)
{
    uint32_t na = bl_pool_vec_len(a->pool, va), nb = bl_pool_vec_len(b->pool, vb);
    if (na != nb)
        return false;
    const uint32_t *ia = bl_pool_vec_items(a->pool, va), *ib = bl_pool_vec_items(b->pool, vb);
    for (uint32_t i = 0; i < na; i++)
        if (!bl_fold_eq(bl_model_str(a, ia[i]), bl_model_str(b, ib[i])))
            return false;
    return true;
}

static void compare_str(diff_out *d, const char *what, const char *x, const char *y)
{
    if (!bl_fold_eq(x ? x : "", y ? y : ""))
        change(d, "changed", what, *x ? x : "(none)", *y ? y : "(none)");
}

static void compare_vec(diff_out *d, const char *what, const bl_model *a, bl_vec va, const bl_model *b, bl_vec vb)
{
    if (vec_eq(a, va, b, vb))
        return;
    bl_sb x = {0}, y = {0};
    vec_text(d, a, va, &x);
    vec_text(d, b, vb, &y);
    change(d, "changed", what, x.len ? bl_sb_str(&x) : "(none)", y.len ? bl_sb_str(&y) : "(none)");
    bl_sb_free(&x);
    bl_sb_free(&y);
}

static void num_text(bool has, uint32_t v, char *buf, size_t n)
{
    if (has)
        snprintf(buf, n, "%u", v);
    else
        snprintf(buf, n, "(none)");
}

static void compare_num(diff_out *d, const char *what, bool ha, uint32_t a, bool hb, uint32_t b)
{
    if (ha == hb && (!ha || a == b))
        return;
    char x[32], y[32];
    num_text(ha, a, x, sizeof x);
    num_text(hb, b, y, sizeof y);
    change(d, "changed", what, x, y);
}

static void diff_services(diff_out *d, const bl_model *a, const bl_model *b)
{
    section(d, "Services");
    bl_sb what = {0};
    for (uint32_t i = 0; i < b->nservices; i++) {
        const bl_service *sb = &b->services[i];
        uint32_t j = bl_model_find_service(a, bl_model_str(b, sb->name));
        keys_written(d, j == BL_NONE ? 0 : a->services[j].last_written, sb->last_written);
        if (j == BL_NONE) {
            bl_sb desc = {0};
            bl_sb_addf(&desc, "%s start, group \"%s\"", bl_start_name(sb->start), bl_model_str(b, sb->group));
            change(d, "added", bl_model_str(b, sb->name), NULL, bl_sb_str(&desc));
            bl_sb_free(&desc);
            continue;
        }
        const bl_service *sa = &a->services[j];
        const char *n = bl_model_str(b, sb->name);
#define WHAT(field) (bl_sb_reset(&what), bl_sb_addf(&what, "%s %s", n, field), bl_sb_str(&what))
        if (sa->start != sb->start)
            change(d, "changed", WHAT("Start"), bl_start_name(sa->start), bl_start_name(sb->start));
        compare_num(d, WHAT("Type"), sa->has_type, sa->type, sb->has_type, sb->type);
        compare_str(d, WHAT("Group"), bl_model_str(a, sa->group), bl_model_str(b, sb->group));
        compare_num(d, WHAT("Tag"), sa->has_tag, sa->tag, sb->has_tag, sb->tag);
        compare_str(d, WHAT("ImagePath"), bl_model_str(a, sa->image_path), bl_model_str(b, sb->image_path));
        compare_num(d, WHAT("ErrorControl"), sa->has_error_control, sa->error_control, sb->has_error_control,
                    sb->error_control);
        compare_num(d, WHAT("BootFlags"), sa->has_boot_flags, sa->boot_flags, sb->has_boot_flags, sb->boot_flags);
        compare_vec(d, WHAT("DependOnService"), a, sa->depend_on_service, b, sb->depend_on_service);
        compare_vec(d, WHAT("DependOnGroup"), a, sa->depend_on_group, b, sb->depend_on_group);
        compare_str(d, WHAT("DefaultInstance"), bl_model_str(a, sa->default_instance),
                    bl_model_str(b, sb->default_instance));
        /* Minifilter altitudes, by instance name. */
        for (uint32_t k = 0; k < sb->inst_count; k++) {
            const bl_instance *ib = &b->instances[sb->inst_first + k];
            const char *alt_a = "";
            for (uint32_t q = 0; q < sa->inst_count; q++)
                if (bl_fold_eq(bl_model_str(a, a->instances[sa->inst_first + q].name), bl_model_str(b, ib->name)))
                    alt_a = bl_model_str(a, a->instances[sa->inst_first + q].altitude);
            bl_sb_reset(&what);
            bl_sb_addf(&what, "%s instance \"%s\" Altitude", n, bl_model_str(b, ib->name));
            compare_str(d, bl_sb_str(&what), alt_a, bl_model_str(b, ib->altitude));
        }
#undef WHAT
    }
    for (uint32_t i = 0; i < a->nservices; i++)
        if (bl_model_find_service(b, bl_model_str(a, a->services[i].name)) == BL_NONE) {
            keys_written(d, a->services[i].last_written, 0);
            change(d, "removed", bl_model_str(a, a->services[i].name), bl_start_name(a->services[i].start), NULL);
        }
    keys_written(d, 0, 0);
    bl_sb_free(&what);
}

/* The tag list of a group named by a string (the two models have different
 * string pools, so ids cannot cross). */
static const bl_group_tags *tags_by_name(const bl_model *m, const char *group)
{
    bl_str f = bl_pool_find_folded(m->pool, group);
    return f ? bl_model_group_tags(m, f) : NULL;
}

static void diff_groups(diff_out *d, const bl_model *a, const bl_model *b)
{
    section(d, "Load-order groups");
    compare_vec(d, "ServiceGroupOrder\\List", a, a->group_order, b, b->group_order);
    for (uint32_t i = 0; i < b->ngroup_tags; i++) {
        const bl_group_tags *gb = &b->group_tags[i];
        const bl_group_tags *ga = tags_by_name(a, bl_model_str(b, gb->group));
        bl_sb what = {0}, x = {0}, y = {0};
        bl_sb_addf(&what, "GroupOrderList\\%s", bl_model_str(b, gb->group));
        uint32_t nb = bl_pool_vec_len(b->pool, gb->tags), na = ga ? bl_pool_vec_len(a->pool, ga->tags) : 0;
        const uint32_t *tb = bl_pool_vec_items(b->pool, gb->tags), *ta = ga ? bl_pool_vec_items(a->pool, ga->tags) : NULL;
        bool same = ga && na == nb && (!na || memcmp(ta, tb, na * sizeof *ta) == 0);
        if (!same) {
            for (uint32_t k = 0; k < na; k++)
                bl_sb_addf(&x, "%s%u", k ? list_sep(d) : "", ta[k]);
            for (uint32_t k = 0; k < nb; k++)
                bl_sb_addf(&y, "%s%u", k ? list_sep(d) : "", tb[k]);
            change(d, ga ? "changed" : "added", bl_sb_str(&what), ga ? bl_sb_str(&x) : NULL, bl_sb_str(&y));
        }
        bl_sb_free(&what);
        bl_sb_free(&x);
        bl_sb_free(&y);
    }
    for (uint32_t i = 0; i < a->ngroup_tags; i++)
        if (!tags_by_name(b, bl_model_str(a, a->group_tags[i].group))) {
            bl_sb what = {0};
            bl_sb_addf(&what, "GroupOrderList\\%s", bl_model_str(a, a->group_tags[i].group));
            change(d, "removed", bl_sb_str(&what), NULL, NULL);
            bl_sb_free(&what);
        }
    char x[32], y[32];
    num_text(a->has_boot_driver_flags, a->boot_driver_flags, x, sizeof x);
    num_text(b->has_boot_driver_flags, b->boot_driver_flags, y, sizeof y);
    if (strcmp(x, y) != 0)
        change(d, "changed", "Control\\BootDriverFlags", x, y);
}

static void diff_filters(diff_out *d, const bl_model *a, const bl_model *b)
{
    section(d, "Class and device filters");
    bl_sb what = {0};
    for (uint32_t i = 0; i < b->nclasses; i++) {
        const bl_class *cb = &b->classes[i];
        uint32_t j = bl_model_find_class(a, bl_model_str(b, cb->key));
        keys_written(d, j != BL_NONE ? a->classes[j].last_written : 0, cb->last_written);
        bl_vec up = j != BL_NONE ? a->classes[j].upper : 0, lo = j != BL_NONE ? a->classes[j].lower : 0;
        const char *label = cb->name ? bl_model_str(b, cb->name) : bl_model_str(b, cb->guid);
        bl_sb_reset(&what);
        bl_sb_addf(&what, "%s class UpperFilters", label);
        compare_vec(d, bl_sb_str(&what), a, up, b, cb->upper);
        bl_sb_reset(&what);
        bl_sb_addf(&what, "%s class LowerFilters", label);
        compare_vec(d, bl_sb_str(&what), a, lo, b, cb->lower);
    }
    for (uint32_t i = 0; i < a->nclasses; i++) {
        const bl_class *ca = &a->classes[i];
        if (bl_model_find_class(b, bl_model_str(a, ca->key)) != BL_NONE)
            continue;
        keys_written(d, ca->last_written, 0);
        const char *label = ca->name ? bl_model_str(a, ca->name) : bl_model_str(a, ca->guid);
        bl_sb_reset(&what);
        bl_sb_addf(&what, "%s class UpperFilters", label);
        compare_vec(d, bl_sb_str(&what), a, ca->upper, b, 0);
        bl_sb_reset(&what);
        bl_sb_addf(&what, "%s class LowerFilters", label);
        compare_vec(d, bl_sb_str(&what), a, ca->lower, b, 0);
    }
    for (uint32_t i = 0; i < b->ndevices; i++) {
        const bl_device *db = &b->devices[i];
        uint32_t j = bl_model_find_device(a, bl_model_str(b, db->instance_id));
        keys_written(d, j != BL_NONE ? a->devices[j].last_written : 0, db->last_written);
        bl_vec up = j != BL_NONE ? a->devices[j].upper : 0, lo = j != BL_NONE ? a->devices[j].lower : 0;
        bl_sb_reset(&what);
        bl_sb_addf(&what, "%s UpperFilters", bl_model_str(b, db->instance_id));
        compare_vec(d, bl_sb_str(&what), a, up, b, db->upper);
        bl_sb_reset(&what);
        bl_sb_addf(&what, "%s LowerFilters", bl_model_str(b, db->instance_id));
        compare_vec(d, bl_sb_str(&what), a, lo, b, db->lower);
    }
    keys_written(d, 0, 0);
    bl_sb_free(&what);
}

static void diff_devices(diff_out *d, const bl_analysis *x, const bl_analysis *y)
{
    const bl_model *a = x->model, *b = y->model;
    section(d, "Devices");
    bl_sb desc = {0};
    for (uint32_t i = 0; i < b->ndevices; i++) {
        const bl_device *db = &b->devices[i];
        const char *id = bl_model_str(b, db->instance_id);
        uint32_t j = bl_model_find_device(a, id);
        keys_written(d, j != BL_NONE ? a->devices[j].last_written : 0, db->last_written);
        if (j == BL_NONE) {
            bl_sb_reset(&desc);
            const char *cls = bl_model_device_class_name(b, db), *svc = bl_model_str(b, db->service);
            bl_sb_addf(&desc, "%s, service %s", cls && *cls ? cls : "no class", svc && *svc ? svc : "(none)");
            change(d, "added", id, NULL, bl_sb_str(&desc));
            continue;
        }
        const bl_device *da = &a->devices[j];
        bl_sb what = {0};
        bl_sb_addf(&what, "%s Service", id);
        compare_str(d, bl_sb_str(&what), bl_model_str(a, da->service), bl_model_str(b, db->service));
        bl_sb_free(&what);
        keys_written(d, 0, 0); /* a start that moved is an effect, not a write to this key */
        /* Start phase and deferral: the visible effect of filter changes. */
        const bl_device_start *sa = &x->timeline->devices[j], *sb = &y->timeline->devices[i];
        const char *fa = bl_model_service_name(a, sa->deferred_by), *fb = bl_model_service_name(b, sb->deferred_by);
        if (sa->phase != sb->phase || !bl_fold_eq(fa, fb)) {
            bl_sb before = {0}, after = {0}, w = {0};
            if (sa->phase == BL_PHASE_NEVER)
                bl_sb_addf(&before, "does not start (%s)", bl_block_text(sa->block));
            else
                bl_sb_addf(&before, "%s phase%s%s", bl_phase_name(sa->phase), *fa ? ", deferred by " : "", fa);
            if (sb->phase == BL_PHASE_NEVER)
                bl_sb_addf(&after, "does not start (%s)", bl_block_text(sb->block));
            else
                bl_sb_addf(&after, "%s phase%s%s", bl_phase_name(sb->phase), *fb ? ", deferred by " : "", fb);
            bl_sb_addf(&w, "%s starts", id);
            change(d, "changed", bl_sb_str(&w), bl_sb_str(&before), bl_sb_str(&after));
            bl_sb_free(&before);
            bl_sb_free(&after);
            bl_sb_free(&w);
        }
    }
    for (uint32_t i = 0; i < a->ndevices; i++)
        if (bl_model_find_device(b, bl_model_str(a, a->devices[i].instance_id)) == BL_NONE) {
            keys_written(d, a->devices[i].last_written, 0);
            change(d, "removed", bl_model_str(a, a->devices[i].instance_id), NULL, NULL);
        }
    keys_written(d, 0, 0);
    bl_sb_free(&desc);
}

/* The boot order: drivers that entered or left it, and those whose place
 * relative to the others changed (not on a longest common subsequence). */
/* Walks `from`'s boot-phase loads: those `other` does not load in its boot
 * phase are reported as `kind` (added or removed); the indexes of the rest go
 * to common, in `from`'s order.  Returns how many are common. */
static uint32_t boot_split(diff_out *d, const bl_analysis *from, const bl_analysis *other, const char *kind,
                           uint32_t *common)
{
    uint32_t nc = 0;
    bool removed = !strcmp(kind, "removed");
    for (uint32_t i = 0; i < from->timeline->boot_count; i++) {
        const char *n = bl_model_service_name(from->model, from->timeline->loads[i].service);
        uint32_t s = bl_model_find_service(other->model, n);
        uint32_t p = s != BL_NONE ? bl_timeline_position(other->timeline, s) : 0;
        if (!p || other->timeline->loads[p - 1].phase != BL_PHASE_BOOT) {
            char pos[64];
            snprintf(pos, sizeof pos, "slot %u", i + 1);
            change(d, kind, n, removed ? pos : NULL, removed ? NULL : pos);
        } else {
            common[nc++] = i;
        }
    }
    return nc;
}

/* "slot 11, after volsnap": boot slot pos (1-based) of analysis x and, if
 * context (text), the driver that initializes just before it. */
static void slot_text(const bl_analysis *x, uint32_t pos, bool context, bl_sb *sb)
{
    bl_sb_addf(sb, "slot %u", pos);
    if (!context)
        return;
    if (pos >= 2 && pos <= x->timeline->boot_count)
        bl_sb_addf(sb, ", after %s", bl_model_service_name(x->model, x->timeline->loads[pos - 2].service));
    else if (pos == 1)
        bl_sb_add(sb, ", the first");
}

static void diff_boot_order(diff_out *d, const bl_analysis *x, const bl_analysis *y)
{
    section(d, "Boot load order");
    const bl_model *a = x->model, *b = y->model;
    uint32_t na = x->timeline->boot_count, nb = y->timeline->boot_count;
    /* Common drivers, in A's order and in B's order. */
    uint32_t *ca = bl_xmalloc((na ? na : 1) * sizeof *ca), *cb = bl_xmalloc((nb ? nb : 1) * sizeof *cb);
    uint32_t ncb = boot_split(d, y, x, "added", cb);
    uint32_t nca = boot_split(d, x, y, "removed", ca);
    /* LCS over the common drivers (boot lists are a few hundred long). */
    uint32_t n = nca; /* == ncb */
    if (n > 4000) {
        /* The table would be n^2: a hostile hive must not get that far. */
        change(d, "changed", "order of the common boot drivers", NULL, "not compared (more than 4000 drivers)");
    } else if (n && n == ncb) {
        uint16_t *t = bl_xcalloc(((size_t)n + 1) * (n + 1), sizeof *t);
#define T(i, j) t[(size_t)(i) * (n + 1) + (j)]
        for (uint32_t i = n; i-- > 0;)
            for (uint32_t j = n; j-- > 0;) {
                const char *sa = bl_model_service_name(a, x->timeline->loads[ca[i]].service);
                const char *sb = bl_model_service_name(b, y->timeline->loads[cb[j]].service);
                T(i, j) = bl_fold_eq(sa, sb) ? (uint16_t)(T(i + 1, j + 1) + 1)
                                             : (T(i + 1, j) > T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
            }
        uint8_t *kept = bl_xcalloc(n, 1);
        for (uint32_t i = 0, j = 0; i < n && j < n;) {
            const char *sa = bl_model_service_name(a, x->timeline->loads[ca[i]].service);
            const char *sb = bl_model_service_name(b, y->timeline->loads[cb[j]].service);
            if (bl_fold_eq(sa, sb)) {
                kept[j] = 1;
                i++, j++;
            } else if (T(i + 1, j) >= T(i, j + 1)) {
                i++;
            } else {
                j++;
            }
        }
#undef T
        for (uint32_t j = 0; j < n; j++) {
            if (kept[j])
                continue;
            const char *nm = bl_model_service_name(b, y->timeline->loads[cb[j]].service);
            /* A driver can move among the others and keep its slot number
             * (another one left before it): what it follows says how. */
            bl_sb before = {0}, after = {0};
            slot_text(x, bl_timeline_position(x->timeline, bl_model_find_service(a, nm)), !d->json, &before);
            slot_text(y, cb[j] + 1, !d->json, &after);
            change(d, "moved", nm, bl_sb_str(&before), bl_sb_str(&after));
            bl_sb_free(&before);
            bl_sb_free(&after);
        }
        free(kept);
        free(t);
    }
    free(ca);
    free(cb);
}

/* Findings sorted by subject, for lookups. */
typedef struct subject_index {
    const bl_finding **v;
    uint32_t n;
} subject_index;

static int by_subject(const void *a, const void *b)
{
    return strcmp((*(const bl_finding *const *)a)->subject, (*(const bl_finding *const *)b)->subject);
}

static subject_index subject_index_new(const bl_findings *f)
{
    subject_index ix = {NULL, f ? f->n : 0};
    ix.v = bl_xmalloc((ix.n ? ix.n : 1) * sizeof *ix.v);
    for (uint32_t i = 0; i < ix.n; i++)
        ix.v[i] = &f->v[i];
    qsort(ix.v, ix.n, sizeof *ix.v, by_subject);
    return ix;
}

static const bl_finding *subject_find(const subject_index *ix, const char *subject)
{
    bl_finding key = {0};
    key.subject = (char *)subject;
    const bl_finding *k = &key;
    const bl_finding **hit = bsearch(&k, ix->v, ix->n, sizeof *ix->v, by_subject);
    return hit ? *hit : NULL;
}

/* One finding line of the text: lead (blanks), then the prose wrapped to
 * width, its further lines starting with indent. */
static void finding_line(FILE *out, unsigned width, const char *lead, const char *indent, const char *fmt,
                         ...) BL_PRINTF(5, 6);
static void finding_line(FILE *out, unsigned width, const char *lead, const char *indent, const char *fmt,
                         ...)
{
    bl_sb sb = {0};
    va_list ap;
    va_start(ap, fmt);
    bl_sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    fputs(lead, out);
    bl_print_wrapped(out, bl_sb_str(&sb), strlen(lead), indent, width);
    bl_sb_free(&sb);
}

uint32_t bl_report_diff(FILE *out, const bl_analysis *x, const bl_analysis *y, bl_format fmt, int fail_on,
                        bool verbose, unsigned width)
{
    if (fmt == BL_FMT_HTML) {
        /* The text diff, coloured, then both timelines. */
        char *text = NULL;
        size_t len = 0;
        FILE *mem = bl_memstream(&text, &len);
        uint32_t failing = bl_report_diff(mem, x, y, BL_FMT_TEXT, fail_on, verbose, 0);
        fclose(mem);
        bl_report_diff_html(out, x, y, text);
        free(text);
        return failing;
    }
    diff_out d = {.out = out, .json = fmt == BL_FMT_JSON, .section = "", .verbose = verbose, .width = width};
    if (d.json) {
        cJSON *inputs = cJSON_CreateArray();
        bl_json_add_analysis_inputs(inputs, x, "a");
        bl_json_add_analysis_inputs(inputs, y, "b");
        d.root = bl_json_envelope("diff", inputs);
        cJSON *h = cJSON_AddObjectToObject(d.root, "a");
        cJSON_AddStringToObject(h, "path", x->hive ? x->hive->path : "");
        cJSON_AddStringToObject(h, "control_set", bl_model_str(x->model, x->model->control_set_name));
        h = cJSON_AddObjectToObject(d.root, "b");
        cJSON_AddStringToObject(h, "path", y->hive ? y->hive->path : "");
        cJSON_AddStringToObject(h, "control_set", bl_model_str(y->model, y->model->control_set_name));
        d.changes = cJSON_AddArrayToObject(d.root, "changes");
    } else {
        /* One line, or A and B one above the other when it does not fit. */
        bl_sb ha = {0}, hb = {0};
        bl_sb_addf(&ha, "bootlens diff: A = %s (%s)", x->hive ? x->hive->path : "",
                   bl_model_str(x->model, x->model->control_set_name));
        bl_sb_addf(&hb, "B = %s (%s)", y->hive ? y->hive->path : "",
                   bl_model_str(y->model, y->model->control_set_name));
        bool one_line = !width || ha.len + 2 + hb.len <= width;
        fprintf(out, "%s%s%s\n", bl_sb_str(&ha), one_line ? ", " : "\n               ", bl_sb_str(&hb));
        bl_sb_free(&ha);
        bl_sb_free(&hb);
    }
    diff_services(&d, x->model, y->model);
    diff_groups(&d, x->model, y->model);
    diff_filters(&d, x->model, y->model);
    diff_devices(&d, x, y);
    diff_boot_order(&d, x, y);
    if (!d.json)
        section_end(&d);

    /* Findings: new in B, gone from A, and those in both whose severity
     * changed (an error that became a warning is news too).  Matching is by
     * subject through sorted indexes: no pass over pairs of findings. */
    subject_index ix = subject_index_new(x->findings), iy = subject_index_new(y->findings);
    uint32_t failing = 0, nnew = 0, ngone = 0, nworse = 0, nbetter = 0;
    cJSON *jnew = NULL, *jgone = NULL, *jchanged = NULL;
    if (d.json) {
        jnew = cJSON_AddArrayToObject(d.root, "new_findings");
        jchanged = cJSON_AddArrayToObject(d.root, "changed_findings");
        jgone = cJSON_AddArrayToObject(d.root, "gone_findings");
    }
    for (uint32_t i = 0; y->findings && i < y->findings->n; i++) {
        const bl_finding *f = &y->findings->v[i];
        if (subject_find(&ix, f->subject))
            continue;
        nnew++;
        if ((int)f->severity >= fail_on)
            failing++;
        if (d.json) {
            cJSON_AddItemToArray(jnew, bl_json_finding(f));
        } else {
            if (nnew == 1)
                fputs("\nNew findings:\n", out);
            finding_line(out, width, "  ", "      ", "+ %s [%s] %s", bl_severity_name(f->severity), f->rule,
                         f->message);
            if (f->nfixes)
                finding_line(out, width, "      ", "        ", "fix (re-simulated): %s", f->fixes[0].summary);
        }
    }
    for (uint32_t i = 0; y->findings && i < y->findings->n; i++) {
        const bl_finding *f = &y->findings->v[i];
        const bl_finding *was = subject_find(&ix, f->subject);
        if (!was || was->severity == f->severity)
            continue;
        bool worse = f->severity > was->severity;
        nworse += worse;
        nbetter += !worse;
        if (worse && (int)f->severity >= fail_on)
            failing++;
        if (d.json) {
            cJSON *c = bl_json_finding(f);
            cJSON_AddStringToObject(c, "severity_before", bl_severity_name(was->severity));
            cJSON_AddItemToArray(jchanged, c);
        } else {
            if (nworse + nbetter == 1)
                fputs("\nFindings whose severity changed:\n", out);
            finding_line(out, width, "  ", "      ", "~ %s -> %s [%s] %s", bl_severity_name(was->severity),
                         bl_severity_name(f->severity), f->rule, f->message);
            if (strcmp(was->message, f->message) != 0)
                finding_line(out, width, "      ", "           ", "was: %s", was->message);
        }
    }
    for (uint32_t i = 0; x->findings && i < x->findings->n; i++) {
        const bl_finding *f = &x->findings->v[i];
        if (subject_find(&iy, f->subject))
            continue;
        ngone++;
        if (d.json) {
            cJSON_AddItemToArray(jgone, bl_json_finding(f));
        } else {
            if (ngone == 1)
                fputs("\nGone findings:\n", out);
            finding_line(out, width, "  ", "      ", "- %s [%s] %s", bl_severity_name(f->severity), f->rule,
                         f->message);
        }
    }
    free(ix.v);
    free(iy.v);
    if (d.json) {
        cJSON *s = cJSON_AddObjectToObject(d.root, "summary");
        cJSON_AddNumberToObject(s, "changes", d.count);
        cJSON_AddNumberToObject(s, "new_findings", nnew);
        cJSON_AddNumberToObject(s, "more_severe_findings", nworse);
        cJSON_AddNumberToObject(s, "less_severe_findings", nbetter);
        cJSON_AddNumberToObject(s, "gone_findings", ngone);
        bl_json_print(out, d.root, false);
    } else if (!d.count && !nnew && !ngone && !nworse && !nbetter) {
        fputs("\nNo difference in the boot configuration or its findings.\n", out);
    } else {
        fprintf(out, "\n%u change%s, %u new finding%s, ", d.count, d.count == 1 ? "" : "s", nnew, nnew == 1 ? "" : "s");
        if (nworse || nbetter)
            fprintf(out, "%u more severe, %u less severe, ", nworse, nbetter);
        fprintf(out, "%u gone.\n", ngone);
    }
    return failing;
}
