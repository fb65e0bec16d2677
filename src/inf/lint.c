/* lint.c — the INF what-if: the findings an INF introduces into a
 * baseline, each pointed at the INF lines responsible.  It sits above
 * inf/, sim/ and rules/ (it runs all three) and lives in the library so
 * that the CLI, the tests and the fuzzer run the very same steps.
 *
 * "New" means: no finding with the same subject (rule + what it is about)
 * in the baseline, or one of lower severity; the baseline's own findings
 * are not the INF's fault.  A new finding is tied to the INF through its
 * evidence: a registry path and value the INF wrote (the AddReg entry that
 * appended a class filter, the StartType and LoadOrderGroup lines of a
 * service) — the best such write is the primary location, the others are
 * related. */
#include "bootlens/hive.h"
#include "bootlens/inf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A diagnostic of the lint itself, kept with apply's ("NAME:LINE: ..."). */
static void lint_diag(bl_lint_result *r, bl_apply_level level, const char *inf, uint32_t line, const char *fmt,
                      ...) BL_PRINTF(5, 6);
static void lint_diag(bl_lint_result *r, bl_apply_level level, const char *inf, uint32_t line, const char *fmt, ...)
{
    bl_apply_result *a = &r->applied;
    if (a->ndiags >= 2 * BL_INF_MAX_DIAGS)
        return; /* apply's own are bounded; so are these */
    bl_sb sb = {0};
    bl_sb_addf(&sb, "%s:%u: ", inf, line);
    va_list ap;
    va_start(ap, fmt);
    bl_sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    bl_grow((void **)&a->diags, sizeof *a->diags, &a->capdiags, a->ndiags + 1);
    a->diags[a->ndiags++] = (bl_apply_diag){level, inf, line, bl_sb_detach(&sb)};
}

static const bl_finding *find_subject(const bl_findings *f, const char *subject)
{
    for (uint32_t i = 0; i < f->n; i++)
        if (strcmp(f->v[i].subject, subject) == 0)
            return &f->v[i];
    return NULL;
}

/* Whether evidence text such as `Start = 0 (boot)` or `Service = "x",
 * ClassGUID = "{...}"` shows registry value name. */
static bool evidence_names(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; p && *p;) {
        if (bl_fold_has_prefix(p, name) && strncmp(p + n, " = ", 3) == 0)
            return true;
        p = strstr(p, ", ");
        if (p)
            p += 2;
    }
    return false;
}

static bool is_filter_list(const char *value)
{
    return value && (bl_fold_eq(value, "UpperFilters") || bl_fold_eq(value, "LowerFilters"));
}

/* Whether a multi-string write's data holds name. */
static bool list_write_holds(const bl_change *c, const char *name)
{
    if (c->type != BL_REG_MULTI_SZ || c->delete_value || c->delete_key)
        return false;
    bool found = false;
    for (size_t pos = 0; pos + 2 < c->size && !found;) {
        bl_sb item = {0};
        pos += bl_utf16le_to_utf8(c->data + pos, c->size - pos, &item);
        found = bl_fold_eq(bl_sb_str(&item), name);
        bl_sb_free(&item);
    }
    return found;
}

/* How strongly write w explains finding f: a filter list the evidence
 * shows, or one that puts a service of the finding on a device or class
 * the evidence names; then other values the evidence shows; then keys it
 * names.  Earlier evidence wins ties.  0: unrelated. */
static int32_t write_score(const bl_inf_write *w, const char *full, const bl_finding *f)
{
    const bl_change *c = &w->change;
    bool places_service = false;
    for (uint32_t i = 0; i < f->nservices && !places_service && is_filter_list(c->value); i++)
        places_service = list_write_holds(c, f->services[i]);
    int32_t best = 0;
    uint32_t nev = f->nevidence < 1000 ? f->nevidence : 1000;
    for (uint32_t k = 0; k < nev; k++) {
        const bl_evidence *e = &f->evidence[k];
        if (!bl_fold_eq(e->path, full))
            continue;
        int32_t s = 0;
        if (c->value && e->value && evidence_names(e->value, c->value))
            s = (is_filter_list(c->value) ? 3000 : 2000) - (int32_t)k;
        else if (places_service)
            s = 2500 - (int32_t)k;
        else if (!e->value || c->delete_key)
            s = 1000 - (int32_t)k;
        if (s > best)
            best = s;
    }
    return best;
}

static bl_lint_location location_of(const bl_inf_write *w)
{
    bl_lint_location l = {w->origin.inf, w->origin.line, w->origin.directive, w->what};
    return l;
}

static bool same_line(const bl_lint_location *a, const bl_inf_origin *o)
{
    return a->inf && strcmp(a->inf, o->inf) == 0 && a->line == o->line;
}

/* The AddService line of the first service of f the INFs installed: where
 * a finding points when its evidence names nothing the INFs wrote. */
static bool service_fallback(const bl_apply_result *a, const bl_finding *f, bl_lint_location *out)
{
    for (uint32_t s = 0; s < f->nservices; s++)
        for (uint32_t i = 0; i < a->nwrites; i++) {
            const bl_inf_write *w = &a->writes[i];
            const char *k = w->change.key;
            if (!w->origin.via || !bl_fold_has_prefix(k, "Services\\") || !bl_fold_eq(k + 9, f->services[s]))
                continue;
            out->inf = w->origin.inf;
            out->line = w->origin.via;
            out->directive = "AddService";
            out->what = w->what;
            return true;
        }
    return false;
}

/* Whether write w sets a service value to what the baseline already had
 * (StartType = 0 for a driver that was boot start already): such a line is
 * no cause of a new finding, at most related to it.  Service values only;
 * other writes count as changes. */
static bool keeps_baseline(const bl_model *base, const bl_inf_write *w)
{
    const bl_change *c = &w->change;
    if (!c->value || c->delete_key || c->delete_value || !bl_fold_has_prefix(c->key, "Services\\"))
        return false;
    const char *name = c->key + strlen("Services\\");
    uint32_t svc = strchr(name, '\\') ? BL_NONE : bl_model_find_service(base, name);
    if (svc == BL_NONE)
        return false;
    const bl_service *s = &base->services[svc];
    if (c->type == BL_REG_DWORD && c->size == 4) {
        uint32_t v = (uint32_t)c->data[0] | (uint32_t)c->data[1] << 8 | (uint32_t)c->data[2] << 16 |
                     (uint32_t)c->data[3] << 24;
        if (bl_fold_eq(c->value, "Start"))
            return s->start_value == (int32_t)v && s->start != BL_START_UNKNOWN;
        if (bl_fold_eq(c->value, "Type"))
            return s->has_type && s->type == v;
        if (bl_fold_eq(c->value, "ErrorControl"))
            return s->has_error_control && s->error_control == v;
        if (bl_fold_eq(c->value, "Tag"))
            return s->has_tag && s->tag == v;
        return false;
    }
    if ((c->type == BL_REG_SZ || c->type == BL_REG_EXPAND_SZ) && bl_fold_eq(c->value, "Group") && s->group) {
        bl_sb g = {0};
        bl_utf16le_to_utf8(c->data, c->size, &g);
        bool same = bl_fold_eq(bl_sb_str(&g), bl_model_str(base, s->group));
        bl_sb_free(&g);
        return same;
    }
    return false;
}

/* Related lines shown at most: more says nothing a reader can use. */
#define LINT_MAX_RELATED 16

/* Points finding f at the INF lines; paths[i] is the full registry path
 * of write i, as evidence spells paths. */
static void locate(const bl_lint_result *r, const char *const *paths, const bool *kept, const bl_finding *f,
                   bl_lint_item *it)
{
    const bl_apply_result *a = &r->applied;
    int32_t *score = bl_xcalloc(a->nwrites ? a->nwrites : 1, sizeof *score);
    uint32_t primary = BL_NONE;
    for (uint32_t i = 0; i < a->nwrites; i++) {
        score[i] = write_score(&a->writes[i], paths[i], f);
        /* A line that changes nothing in the baseline comes after every
         * line that does (still related: it is part of the picture). */
        if (kept[i] && score[i] > 1)
            score[i] = 1;
        if (score[i] > 0 && (primary == BL_NONE || score[i] > score[primary]))
            primary = i;
    }
    if (primary != BL_NONE) {
        it->primary = location_of(&a->writes[primary]);
        /* The other lines, by file and line, once each. */
        it->related = bl_xmalloc(LINT_MAX_RELATED * sizeof *it->related);
        for (uint32_t i = 0; i < a->nwrites && it->nrelated < LINT_MAX_RELATED; i++) {
            if (score[i] <= 0 || same_line(&it->primary, &a->writes[i].origin))
                continue;
            bool dup = false;
            for (uint32_t k = 0; k < it->nrelated && !dup; k++)
                dup = same_line(&it->related[k], &a->writes[i].origin);
            if (!dup)
                it->related[it->nrelated++] = location_of(&a->writes[i]);
        }
        for (uint32_t i = 1; i < it->nrelated; i++)
            for (uint32_t k = i; k > 0; k--) {
                bl_lint_location *x = &it->related[k - 1], *y = &it->related[k];
                int c = strcmp(x->inf, y->inf);
                if (c < 0 || (c == 0 && x->line <= y->line))
                    break;
                bl_lint_location t = *x;
                *x = *y;
                *y = t;
            }
    } else {
        service_fallback(a, f, &it->primary);
    }
    free(score);
}

/* The INF entry names of the service values a fix may change. */
static const struct {
    const char *directive, *value;
} service_entries[] = {
    {"StartType", "Start"},           {"LoadOrderGroup", "Group"},        {"ServiceType", "Type"},
    {"ErrorControl", "ErrorControl"}, {"BootFlags", "BootFlags"},         {"DisplayName", "DisplayName"},
    {"DelayedAutoStart", "DelayedAutostart"},
};

/* The service-install entry that writes registry value name, or NULL. */
static const char *service_entry_for(const char *value)
{
    for (size_t k = 0; k < BL_ARRAY_LEN(service_entries); k++)
        if (bl_fold_eq(value, service_entries[k].value))
            return service_entries[k].directive;
    return NULL;
}

static void new_value_text(const bl_change *ch, bl_sb *sb)
{
    if (ch->type == BL_REG_DWORD && ch->size == 4)
        bl_sb_addf(sb, "%u", (uint32_t)ch->data[0] | ((uint32_t)ch->data[1] << 8) | ((uint32_t)ch->data[2] << 16) |
                                 ((uint32_t)ch->data[3] << 24));
    else
        bl_utf16le_to_utf8(ch->data, ch->size, sb);
}

/* Whether multi-string data c holds s (ignoring case). */
static bool list_has(const bl_change *c, const char *s)
{
    return !c->delete_value && !c->delete_key && list_write_holds(c, s);
}

/* When fix ch takes filters the INF put on a whole setup class (AddReg to
 * Control\Class\{guid} UpperFilters/LowerFilters) off it: on Windows 10
 * 1903 and later, a filter that only some devices need can be declared on
 * those devices instead (AddFilter in their DDInstall.Filters, from an
 * extension INF), which leaves the class's other devices alone. */
static void suggest_addfilter(const bl_inf_write *w, const bl_change *ch, const bl_inf_target *t, bl_sb *sb)
{
    bool upper = bl_fold_eq(ch->value, "UpperFilters");
    if ((!upper && !bl_fold_eq(ch->value, "LowerFilters")) || !bl_fold_has_prefix(w->change.key, "Control\\Class\\") ||
        w->change.type != BL_REG_MULTI_SZ)
        return;
    if (t->major < 10 || (t->major == 10 && t->minor == 0 && t->build < 18362))
        return;
    bl_sb item = {0};
    bool found = false;
    for (size_t pos = 0; pos + 2 < w->change.size && !found;) {
        bl_sb_reset(&item);
        pos += bl_utf16le_to_utf8(w->change.data + pos, w->change.size - pos, &item);
        found = item.len && !list_has(ch, bl_sb_str(&item));
    }
    if (found) {
        const char *f = bl_sb_str(&item);
        bl_sb_addf(sb, "; if only some devices of the class need %s, declare it on them instead (Windows 10 1903 and "
                       "later): [DDInstall.Filters] AddFilter = %s,,%s_Filter with [%s_Filter] FilterPosition = %s, "
                       "from an extension INF for those devices",
                   f, f, f, f, upper ? "Upper" : "Lower");
    }
    bl_sb_free(&item);
}

/* The INF edit fix x means, from the writes that made the values it
 * changes: a service-install entry to change (or to add, next to the
 * service's other entries), an AddReg entry to change or remove.  NULL when
 * the fix touches nothing the INFs wrote. */
static char *inf_fix(const bl_apply_result *a, const bl_fix *x, const bl_inf_target *t)
{
    bl_sb sb = {0};
    for (uint32_t i = 0; i < x->nchanges; i++) {
        const bl_change *ch = &x->changes[i];
        if (!ch->value)
            continue;
        const bl_inf_write *same = NULL, *service = NULL;
        for (uint32_t k = 0; k < a->nwrites; k++) {
            const bl_inf_write *w = &a->writes[k];
            if (!w->change.value || !bl_fold_eq(w->change.key, ch->key))
                continue;
            if (bl_fold_eq(w->change.value, ch->value))
                same = w;
            if (w->origin.via && service_entry_for(w->change.value) &&
                strcmp(w->origin.directive, service_entry_for(w->change.value)) == 0)
                service = w;
        }
        const char *entry = service_entry_for(ch->value);
        bool set = !ch->delete_value && !ch->delete_key;
        /* Tags are setup's choice, not the INF's. */
        if (bl_fold_eq(ch->value, "Tag") || (!same && !(service && entry && set)))
            continue;
        if (sb.len)
            bl_sb_add(&sb, "; ");
        if (same && entry && set && strcmp(same->origin.directive, entry) == 0) {
            bl_sb_addf(&sb, "%s:%u: %s = ", same->origin.inf, same->origin.line, entry);
            new_value_text(ch, &sb);
        } else if (!same) {
            bl_sb_addf(&sb, "%s:%u: add %s = ", service->origin.inf, service->origin.via, entry);
            new_value_text(ch, &sb);
            bl_sb_add(&sb, " to the service-install section of this AddService");
        } else {
            bl_sb_addf(&sb, "%s:%u: %s this %s entry (it writes %s)", same->origin.inf, same->origin.line,
                       set ? "change" : "remove", same->origin.directive, ch->value);
            suggest_addfilter(same, ch, t, &sb);
        }
    }
    if (!sb.len) {
        bl_sb_free(&sb);
        return NULL;
    }
    return bl_sb_detach(&sb);
}

/* The INFs' `; bootlens: ignore` comments as suppressions; an unknown rule
 * id is a warning (a typo would otherwise suppress nothing, silently). */
static void collect_inline(bl_lint_result *r, const bl_inf *const *infs, uint32_t ninfs)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < ninfs; i++)
        n += bl_inf_suppression_count(infs[i]);
    r->inline_suppressions = bl_xcalloc(n ? n : 1, sizeof *r->inline_suppressions);
    for (uint32_t i = 0; i < ninfs; i++)
        for (uint32_t k = 0; k < bl_inf_suppression_count(infs[i]); k++) {
            const bl_inf_suppression *x = bl_inf_suppression_at(infs[i], k);
            const char *name = bl_inf_name(infs[i]);
            if (strcmp(x->rule, "*") != 0 && !bl_rule_known(x->rule)) {
                lint_diag(r, BL_APPLY_WARNING, name, x->line_no,
                          "bootlens: ignore names unknown rule \"%s\": it suppresses nothing (doc/rules.md lists "
                          "the rules)",
                          x->rule);
                continue;
            }
            bl_suppression *s = &r->inline_suppressions[r->ninline++];
            memset(s, 0, sizeof *s);
            s->in_source = true;
            s->rule = x->rule;
            s->reason = x->reason;
            s->file = name;
            s->line = x->line_no;
            s->inf = name;
            s->inf_line = x->target;
        }
}

/* Marks each finding with the suppressions that cover it; says which
 * inline ones cover nothing (stale comments are worth removing). */
static void apply_suppressions(bl_lint_result *r, const bl_lint_options *opt)
{
    const bl_suppressions *ext = opt->suppressions;
    uint32_t next = ext ? ext->n : 0;
    bool *used = bl_xcalloc(r->ninline + 1, sizeof *used);
    for (uint32_t i = 0; i < r->findings.n; i++) {
        bl_lint_item *it = &r->items[i];
        const bl_finding *f = &r->findings.v[i];
        for (uint32_t k = 0; k < r->ninline + next; k++) {
            const bl_suppression *s = k < r->ninline ? &r->inline_suppressions[k] : &ext->v[k - r->ninline];
            if (!bl_suppression_covers(s, f, it, opt->baseline_path))
                continue;
            it->suppressed_by = bl_xrealloc(it->suppressed_by, (it->nsuppressed + 1) * sizeof *it->suppressed_by);
            it->suppressed_by[it->nsuppressed++] = s;
            if (k < r->ninline)
                used[k] = true;
        }
        r->suppressed += it->nsuppressed > 0;
    }
    for (uint32_t k = 0; k < r->ninline; k++)
        if (!used[k])
            lint_diag(r, BL_APPLY_NOTE, r->inline_suppressions[k].inf, r->inline_suppressions[k].line,
                      "bootlens: ignore %s covers no new finding here", r->inline_suppressions[k].rule);
    free(used);
}

bool bl_lint_fails(const bl_lint_result *r, int fail_on)
{
    if (fail_on > BL_SEV_ERROR)
        return false;
    for (uint32_t i = 0; i < r->findings.n; i++)
        if (!r->items[i].nsuppressed && (int)r->findings.v[i].severity >= fail_on)
            return true;
    return false;
}

int bl_lint_run(const bl_model *baseline, const bl_inf *const *infs, uint32_t ninfs,
                const bl_lint_options *opt, bl_lint_result *out, bl_error *err)
{
    memset(out, 0, sizeof *out);
    bl_rules_options ro = {opt->knowledge, opt->hive, opt->sim, true, NULL, 0, 0};
    bl_timeline *bt = bl_simulate(baseline, opt->sim);
    bl_rules_run(baseline, bt, &ro, &out->baseline);
    bl_timeline_free(bt);

    out->after = bl_model_clone(baseline);
    if (bl_inf_apply(out->after, infs, ninfs, &opt->target, &out->applied, err) != 0) {
        bl_lint_result_free(out);
        return -1;
    }
    out->after_timeline = bl_simulate(out->after, opt->sim);
    bl_findings after = {0}, old = {0};
    ro.no_fixes = opt->no_fixes;
    bl_rules_run(out->after, out->after_timeline, &ro, &after);

    /* Split the findings: new or worse ones are reported, the rest set
     * aside (moved, so that each is freed once). */
    out->items = bl_xcalloc(after.n ? after.n : 1, sizeof *out->items);
    for (uint32_t i = 0; i < after.n; i++) {
        bl_finding *f = &after.v[i];
        const bl_finding *was = find_subject(&out->baseline, f->subject);
        bl_findings *dst = was && was->severity >= f->severity ? &old : &out->findings;
        bl_grow((void **)&dst->v, sizeof *dst->v, &dst->cap, dst->n + 1);
        dst->v[dst->n++] = *f;
        if (dst == &out->findings) {
            bl_lint_item *it = &out->items[out->findings.n - 1];
            it->more_severe = was != NULL;
            it->was = was ? was->severity : BL_SEV_INFO;
        }
    }
    free(after.v);
    out->set_aside = old.n;
    for (uint32_t i = 0; i < out->baseline.n; i++)
        if (!find_subject(&out->findings, out->baseline.v[i].subject) && !find_subject(&old, out->baseline.v[i].subject))
            out->gone++;
    bl_findings_free(&old);
    char **paths = bl_xcalloc(out->applied.nwrites + 1, sizeof *paths);
    bool *kept = bl_xcalloc(out->applied.nwrites + 1, sizeof *kept);
    for (uint32_t i = 0; i < out->applied.nwrites; i++) {
        bl_sb full = {0};
        bl_model_reg_path(out->after, &full, out->applied.writes[i].change.key);
        paths[i] = bl_sb_detach(&full);
        kept[i] = keeps_baseline(baseline, &out->applied.writes[i]);
    }
    for (uint32_t i = 0; i < out->findings.n; i++) {
        bl_lint_item *it = &out->items[i];
        const bl_finding *f = &out->findings.v[i];
        locate(out, (const char *const *)paths, kept, f, it);
        if (f->nfixes) {
            it->inf_fixes = bl_xcalloc(f->nfixes, sizeof *it->inf_fixes);
            for (uint32_t k = 0; k < f->nfixes; k++)
                it->inf_fixes[k] = inf_fix(&out->applied, &f->fixes[k], &opt->target);
        }
    }
    for (uint32_t i = 0; i < out->applied.nwrites; i++)
        free(paths[i]);
    free(paths);
    free(kept);
    collect_inline(out, infs, ninfs);
    out->external = opt->suppressions;
    apply_suppressions(out, opt);
    return 0;
}

void bl_lint_result_free(bl_lint_result *r)
{
    for (uint32_t i = 0; r->items && i < r->findings.n; i++) {
        free(r->items[i].related);
        for (uint32_t k = 0; r->items[i].inf_fixes && k < r->findings.v[i].nfixes; k++)
            free(r->items[i].inf_fixes[k]);
        free(r->items[i].inf_fixes);
        free(r->items[i].suppressed_by);
    }
    free(r->items);
    free(r->inline_suppressions);
    bl_findings_free(&r->findings);
    bl_findings_free(&r->baseline);
    bl_apply_result_free(&r->applied);
    bl_timeline_free(r->after_timeline);
    bl_model_free(r->after);
    memset(r, 0, sizeof *r);
}

void bl_lint_result_shrink(bl_lint_result *r)
{
    bl_timeline_free(r->after_timeline);
    bl_model_free(r->after);
    r->after_timeline = NULL;
    r->after = NULL;
    bl_findings_free(&r->baseline);
}
