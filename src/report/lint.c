/* lint.c — rendering `bootlens lint`: text that answers first (which INF
 * line causes what, and the verified fix), JSON with every write and its
 * provenance, and SARIF whose results sit on INF lines for CI annotations;
 * for one INF change judged against many baselines, the fleet verdict
 * (which configurations it breaks) in the same three formats.  Suppressed
 * findings are shown as such everywhere, never left out. */
#include "bootlens/report.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static void target_text(const bl_inf_target *t, bl_sb *sb)
{
    bl_sb_addf(sb, "%s %u.%u.%u", bl_inf_arch_name(t->arch), t->major, t->minor, t->build);
}

static const char *baseline_name(const bl_lint_report *r)
{
    return r->baseline ? r->baseline : "built-in Windows 10 x64 baseline (data/baseline.txt)";
}

static uint32_t count_level(const bl_apply_result *a, bl_apply_level level)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < a->ndiags; i++)
        n += a->diags[i].level == level;
    return n;
}

static void print_location(FILE *out, const bl_lint_location *l, const char *indent)
{
    fprintf(out, "%s%s:%u  %s: %s\n", indent, l->inf, l->line, l->directive, l->what ? l->what : "");
}

static void print_suppressions(FILE *out, const bl_lint_item *it, const char *indent)
{
    for (uint32_t k = 0; k < it->nsuppressed; k++) {
        const bl_suppression *s = it->suppressed_by[k];
        fprintf(out, "%ssuppressed by %s:%u (%s): %s\n", indent, s->file, s->line,
                s->in_source ? "inline comment" : "suppressions file", *s->reason ? s->reason : "(no reason given)");
    }
}

/* The finding in full; extra, when given, is printed after the first line
 * (the fleet report's "on N of M baselines"). */
static void print_lint_finding(FILE *out, const bl_lint_result *res, uint32_t i, const bl_text_options *o,
                               const char *extra)
{
    const bl_finding *f = &res->findings.v[i];
    const bl_lint_item *it = &res->items[i];
    if (it->primary.inf)
        fprintf(out, "%s %s:%u: [%s] %s", bl_severity_label(f->severity, o->color), it->primary.inf, it->primary.line,
                f->rule, f->message);
    else
        fprintf(out, "%s [%s] %s", bl_severity_label(f->severity, o->color), f->rule, f->message);
    if (it->more_severe)
        fprintf(out, " (the baseline has it as %s)", bl_severity_name(it->was));
    fputc('\n', out);
    if (extra)
        fputs(extra, out);
    print_suppressions(out, it, "    ");
    if (it->primary.inf) {
        print_location(out, &it->primary, "    caused by ");
        for (uint32_t k = 0; k < it->nrelated; k++)
            print_location(out, &it->related[k], "    and by    ");
    } else {
        fprintf(out, "    (no INF line writes what its evidence shows: it follows from the INFs as a whole)\n");
    }
    if (o->verbose && f->detail)
        bl_print_indented(out, f->detail, "    ");
    for (uint32_t k = 0; k < f->nfixes; k++) {
        const bl_fix *x = &f->fixes[k];
        fprintf(out, "  Fix %u%s: %s\n", k + 1, x->verification ? " (re-simulated)" : "", x->summary);
        if (it->inf_fixes && it->inf_fixes[k])
            fprintf(out, "    In the INF: %s\n", it->inf_fixes[k]);
        if (o->verbose && x->verification)
            bl_print_indented(out, x->verification, "    ");
    }
    if (o->verbose) {
        for (uint32_t k = 0; k < f->nevidence; k++)
            fprintf(out, "    evidence: %s%s%s\n", f->evidence[k].path, f->evidence[k].value ? "  " : "",
                    f->evidence[k].value ? f->evidence[k].value : "");
    }
}

/* Counts by severity of the findings no suppression covers. */
static void count_unsuppressed(const bl_lint_result *res, uint32_t counts[3])
{
    counts[0] = counts[1] = counts[2] = 0;
    for (uint32_t i = 0; i < res->findings.n; i++)
        if (!res->items[i].nsuppressed)
            counts[res->findings.v[i].severity]++;
}

/* "FILE:LINE: [rule] message" on one line. */
static void print_brief(FILE *out, const bl_lint_result *res, uint32_t i, const char *indent)
{
    const bl_finding *f = &res->findings.v[i];
    const bl_lint_item *it = &res->items[i];
    if (it->primary.inf)
        fprintf(out, "%s%s:%u: [%s] %s\n", indent, it->primary.inf, it->primary.line, f->rule, f->message);
    else
        fprintf(out, "%s[%s] %s\n", indent, f->rule, f->message);
}

static void print_infs(FILE *out, const bl_apply_result *a, const bl_inf *const *infs, uint32_t ninfs)
{
    fputs("\nWhat the INFs do:\n", out);
    for (uint32_t i = 0; i < a->ninfs; i++) {
        const bl_inf_summary *s = &a->infs[i];
        const bl_inf_version_info *v = i < ninfs ? bl_inf_version(infs[i]) : NULL;
        uint32_t writes = 0, model = 0;
        for (uint32_t k = 0; k < a->nwrites; k++)
            if (strcmp(a->writes[k].origin.inf, s->inf) == 0) {
                writes++;
                model += a->writes[k].in_model;
            }
        fprintf(out, "  %s: class %s%s; %u registry write%s (%u read by the boot model)", s->inf,
                v && v->class_name ? v->class_name : "(none)", s->class_installed ? " (new, ClassInstall32)" : "",
                writes, writes == 1 ? "" : "s", model);
        if (s->default_install)
            fprintf(out, "; [%s]", s->default_install);
        fputc('\n', out);
        if (s->model_entries) {
            fprintf(out, "    %u models entr%s for the target; ", s->model_entries, s->model_entries == 1 ? "y" : "ies");
            if (!s->matched_devices)
                fputs("no device of the baseline matches: the per-device parts have no effect here\n", out);
            else
                fprintf(out, "installs on %u device%s:\n", s->matched_devices, s->matched_devices == 1 ? "" : "s");
            for (uint32_t k = 0; k < a->nmatches; k++)
                if (strcmp(a->matches[k].inf, s->inf) == 0)
                    fprintf(out, "      %s (matches %s, line %u, [%s])\n", a->matches[k].instance_id,
                            a->matches[k].matched_id, a->matches[k].line, a->matches[k].install);
        }
    }
}

/* Whether external suppression s covers a finding of one of the results. */
static bool suppression_used(const bl_suppression *s, const bl_lint_result *const *res, uint32_t n)
{
    for (uint32_t r = 0; r < n; r++)
        for (uint32_t i = 0; res[r] && i < res[r]->findings.n; i++)
            for (uint32_t k = 0; k < res[r]->items[i].nsuppressed; k++)
                if (res[r]->items[i].suppressed_by[k] == s)
                    return true;
    return false;
}

/* The entries of the suppressions file that covered nothing: stale ones
 * are worth deleting, and a typo in a selector shows up here. */
static void print_unused(FILE *out, const bl_suppressions *ext, const bl_lint_result *const *res, uint32_t n)
{
    bool header = false;
    for (uint32_t k = 0; ext && k < ext->n; k++) {
        if (suppression_used(&ext->v[k], res, n))
            continue;
        if (!header)
            fputs("\nSuppressions that matched no finding:\n", out);
        header = true;
        fprintf(out, "  %s:%u: %s -- %s\n", ext->v[k].file, ext->v[k].line, ext->v[k].rule, ext->v[k].reason);
    }
}

/* Apply's warnings and the parser's. */
static void print_warnings(FILE *out, const bl_apply_result *a, const bl_inf *const *infs, uint32_t ninfs)
{
    if (count_level(a, BL_APPLY_WARNING)) {
        fputs("\nNot modelled or suspicious (warnings):\n", out);
        for (uint32_t i = 0; i < a->ndiags; i++)
            if (a->diags[i].level == BL_APPLY_WARNING)
                fprintf(out, "  %s\n", a->diags[i].message);
    }
    bool header = false;
    for (uint32_t i = 0; i < ninfs; i++)
        for (uint32_t k = 0; k < bl_inf_diag_count(infs[i]); k++) {
            if (!header)
                fputs("\nParser warnings:\n", out);
            header = true;
            fprintf(out, "  %s\n", bl_inf_diag_at(infs[i], k)->message);
        }
}

void bl_report_lint_text(FILE *out, const bl_lint_report *r, const bl_text_options *o)
{
    const bl_lint_result *res = r->result;
    bl_sb tgt = {0};
    target_text(r->target, &tgt);
    fprintf(out, "bootlens lint: ");
    for (uint32_t i = 0; i < r->ninfs; i++)
        fprintf(out, "%s%s", i ? ", " : "", bl_inf_name(r->infs[i]));
    fprintf(out, " on %s (%s), target %s\n", baseline_name(r), bl_model_str(res->after, res->after->control_set_name),
            bl_sb_str(&tgt));
    bl_sb_free(&tgt);
    uint32_t counts[3];
    count_unsuppressed(res, counts);
    fprintf(out, "\n%u new error%s, %u new warning%s, %u new info; %u finding%s of the baseline set aside (not the "
                 "INFs' doing)",
            counts[2], counts[2] == 1 ? "" : "s", counts[1], counts[1] == 1 ? "" : "s", counts[0], res->set_aside,
            res->set_aside == 1 ? "" : "s");
    if (res->gone)
        fprintf(out, "; %u gone with the INFs", res->gone);
    if (res->suppressed)
        fprintf(out, "; %u suppressed", res->suppressed);
    fputs("\n", out);
    for (uint32_t i = 0; i < res->findings.n; i++) {
        if (res->items[i].nsuppressed || (res->findings.v[i].severity == BL_SEV_INFO && !o->verbose))
            continue;
        fputc('\n', out);
        print_lint_finding(out, res, i, o, NULL);
    }
    if (counts[0] && !o->verbose) {
        fputs("\nNew info (--verbose for details):\n", out);
        for (uint32_t i = 0; i < res->findings.n; i++)
            if (res->findings.v[i].severity == BL_SEV_INFO && !res->items[i].nsuppressed)
                print_brief(out, res, i, "  ");
    }
    if (res->suppressed) {
        fputs("\nSuppressed (reported, not counted for --fail-on):\n", out);
        for (uint32_t i = 0; i < res->findings.n; i++) {
            if (!res->items[i].nsuppressed)
                continue;
            if (o->verbose) {
                fputc('\n', out);
                print_lint_finding(out, res, i, o, NULL);
                continue;
            }
            fprintf(out, "  %s ", bl_severity_label(res->findings.v[i].severity, o->color));
            print_brief(out, res, i, "");
            print_suppressions(out, &res->items[i], "      ");
        }
    }
    print_unused(out, res->external, &res, 1);
    if (res->findings.n == res->suppressed)
        fprintf(out, "\nNo new finding%s: bootlens sees no boot problem these INFs introduce.\n",
                res->suppressed ? " that is not suppressed" : "");
    print_infs(out, &res->applied, r->infs, r->ninfs);
    const bl_apply_result *a = &res->applied;
    uint32_t notes = count_level(a, BL_APPLY_NOTE);
    print_warnings(out, a, r->infs, r->ninfs);
    if (o->verbose) {
        if (notes) {
            fputs("\nNotes:\n", out);
            for (uint32_t i = 0; i < a->ndiags; i++)
                if (a->diags[i].level == BL_APPLY_NOTE)
                    fprintf(out, "  %s\n", a->diags[i].message);
        }
        fputs("\nRegistry writes:\n", out);
        for (uint32_t i = 0; i < a->nwrites; i++)
            fprintf(out, "  %s:%u  %s: %s%s\n", a->writes[i].origin.inf, a->writes[i].origin.line,
                    a->writes[i].origin.directive, a->writes[i].what, a->writes[i].in_model ? "" : " (not read by the boot model)");
        bl_sb reg = {0};
        bl_apply_result_reg(a, &reg);
        fputs("\nAs a .reg file:\n", out);
        bl_print_indented(out, bl_sb_str(&reg), "  | ");
        bl_sb_free(&reg);
    } else {
        fprintf(out, "\n--verbose adds %severy registry write with its INF line and the .reg equivalent; --format "
                     "json has them too.\n",
                notes ? "the notes, " : "");
    }
}

/* ---- JSON ---- */

static cJSON *location_json(const bl_lint_location *l)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "inf_file", l->inf);
    cJSON_AddNumberToObject(o, "inf_line", l->line);
    cJSON_AddStringToObject(o, "directive", l->directive);
    cJSON_AddStringToObject(o, "what", l->what ? l->what : "");
    return o;
}

static cJSON *data_json(const bl_change *c)
{
    if (c->delete_key || c->delete_value)
        return cJSON_CreateNull();
    if (c->type == BL_REG_DWORD && c->size == 4)
        return cJSON_CreateNumber((double)((uint32_t)c->data[0] | ((uint32_t)c->data[1] << 8) |
                                           ((uint32_t)c->data[2] << 16) | ((uint32_t)c->data[3] << 24)));
    if (c->type == BL_REG_SZ || c->type == BL_REG_EXPAND_SZ) {
        bl_sb s = {0};
        bl_utf16le_to_utf8(c->data, c->size, &s);
        cJSON *j = cJSON_CreateString(bl_sb_str(&s));
        bl_sb_free(&s);
        return j;
    }
    if (c->type == BL_REG_MULTI_SZ) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t pos = 0; pos + 2 < c->size;) {
            bl_sb s = {0};
            pos += bl_utf16le_to_utf8(c->data + pos, c->size - pos, &s);
            if (s.len)
                cJSON_AddItemToArray(arr, cJSON_CreateString(bl_sb_str(&s)));
            bl_sb_free(&s);
        }
        return arr;
    }
    bl_sb hex = {0};
    for (size_t i = 0; i < c->size; i++)
        bl_sb_addf(&hex, "%02x", c->data[i]);
    cJSON *j = cJSON_CreateString(bl_sb_str(&hex));
    bl_sb_free(&hex);
    return j;
}

/* new_errors, new_warnings, new_info (not suppressed), the baseline's own
 * findings when kept, set_aside, gone, suppressed. */
static void add_counts(cJSON *sum, const bl_lint_result *res, bool baseline_findings)
{
    uint32_t counts[3];
    count_unsuppressed(res, counts);
    cJSON_AddNumberToObject(sum, "new_errors", counts[BL_SEV_ERROR]);
    cJSON_AddNumberToObject(sum, "new_warnings", counts[BL_SEV_WARNING]);
    cJSON_AddNumberToObject(sum, "new_info", counts[BL_SEV_INFO]);
    if (baseline_findings)
        cJSON_AddNumberToObject(sum, "baseline_findings", res->baseline.n);
    cJSON_AddNumberToObject(sum, "set_aside", res->set_aside);
    cJSON_AddNumberToObject(sum, "gone", res->gone);
    cJSON_AddNumberToObject(sum, "suppressed", res->suppressed);
}

static cJSON *finding_json(const bl_lint_result *res, uint32_t i)
{
    const bl_finding *f = &res->findings.v[i];
    const bl_lint_item *it = &res->items[i];
    cJSON *o = bl_json_finding(f);
    if (it->primary.inf) {
        cJSON_AddStringToObject(o, "inf_file", it->primary.inf);
        cJSON_AddNumberToObject(o, "inf_line", it->primary.line);
        cJSON_AddStringToObject(o, "directive", it->primary.directive);
        cJSON_AddStringToObject(o, "what", it->primary.what ? it->primary.what : "");
    } else {
        cJSON_AddNullToObject(o, "inf_file");
        cJSON_AddNullToObject(o, "inf_line");
    }
    cJSON *rel = cJSON_AddArrayToObject(o, "related");
    for (uint32_t k = 0; k < it->nrelated; k++)
        cJSON_AddItemToArray(rel, location_json(&it->related[k]));
    if (it->more_severe)
        cJSON_AddStringToObject(o, "baseline_severity", bl_severity_name(it->was));
    else
        cJSON_AddNullToObject(o, "baseline_severity");
    cJSON *fx = cJSON_AddArrayToObject(o, "inf_fixes");
    for (uint32_t k = 0; k < f->nfixes; k++)
        cJSON_AddItemToArray(fx, it->inf_fixes && it->inf_fixes[k] ? cJSON_CreateString(it->inf_fixes[k])
                                                                   : cJSON_CreateNull());
    cJSON_AddBoolToObject(o, "suppressed", it->nsuppressed > 0);
    cJSON *sup = cJSON_AddArrayToObject(o, "suppressions");
    for (uint32_t k = 0; k < it->nsuppressed; k++) {
        const bl_suppression *x = it->suppressed_by[k];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "kind", x->in_source ? "inline" : "external");
        cJSON_AddStringToObject(e, "reason", x->reason);
        cJSON_AddStringToObject(e, "file", x->file);
        cJSON_AddNumberToObject(e, "line", x->line);
        cJSON_AddItemToArray(sup, e);
    }
    return o;
}

/* The parser's warnings and apply's warnings and notes, each at its line. */
static cJSON *diagnostics_json(const bl_apply_result *a, const bl_inf *const *infs, uint32_t ninfs)
{
    cJSON *diags = cJSON_CreateArray();
    for (uint32_t i = 0; i < ninfs; i++)
        for (uint32_t k = 0; k < bl_inf_diag_count(infs[i]); k++) {
            const bl_inf_diag *d = bl_inf_diag_at(infs[i], k);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "level", "parser-warning");
            cJSON_AddStringToObject(o, "inf_file", bl_inf_name(infs[i]));
            cJSON_AddNumberToObject(o, "inf_line", d->line_no);
            cJSON_AddStringToObject(o, "message", d->message);
            cJSON_AddItemToArray(diags, o);
        }
    for (uint32_t i = 0; a && i < a->ndiags; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "level", a->diags[i].level == BL_APPLY_WARNING ? "warning" : "note");
        cJSON_AddStringToObject(o, "inf_file", a->diags[i].inf);
        cJSON_AddNumberToObject(o, "inf_line", a->diags[i].line);
        cJSON_AddStringToObject(o, "message", a->diags[i].message);
        cJSON_AddItemToArray(diags, o);
    }
    return diags;
}

static cJSON *unused_json(const bl_suppressions *ext, const bl_lint_result *const *res, uint32_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (uint32_t k = 0; ext && k < ext->n; k++) {
        if (suppression_used(&ext->v[k], res, n))
            continue;
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "file", ext->v[k].file);
        cJSON_AddNumberToObject(e, "line", ext->v[k].line);
        cJSON_AddStringToObject(e, "rule", ext->v[k].rule);
        cJSON_AddStringToObject(e, "reason", ext->v[k].reason);
        cJSON_AddItemToArray(arr, e);
    }
    return arr;
}

static cJSON *target_json(const bl_inf_target *t)
{
    cJSON *tg = cJSON_CreateObject();
    cJSON_AddStringToObject(tg, "arch", bl_inf_arch_name(t->arch));
    bl_sb ver = {0};
    bl_sb_addf(&ver, "%u.%u.%u", t->major, t->minor, t->build);
    cJSON_AddStringToObject(tg, "os_version", bl_sb_str(&ver));
    bl_sb_free(&ver);
    return tg;
}

/* A copy of the inputs the caller gathered, for an envelope. */
static cJSON *inputs_copy(const cJSON *inputs)
{
    return inputs ? cJSON_Duplicate(inputs, true) : NULL;
}

void bl_report_lint_json(FILE *out, const bl_lint_report *r)
{
    const bl_lint_result *res = r->result;
    const bl_apply_result *a = &res->applied;
    cJSON *root = bl_json_envelope("lint", inputs_copy(r->inputs));
    cJSON *base = cJSON_AddObjectToObject(root, "baseline");
    if (r->baseline)
        cJSON_AddStringToObject(base, "path", r->baseline);
    else
        cJSON_AddNullToObject(base, "path");
    cJSON_AddBoolToObject(base, "builtin", r->baseline == NULL);
    cJSON_AddStringToObject(base, "control_set", bl_model_str(res->after, res->after->control_set_name));
    cJSON_AddItemToObject(root, "target", target_json(r->target));

    cJSON *infs = cJSON_AddArrayToObject(root, "infs");
    for (uint32_t i = 0; i < r->ninfs && i < a->ninfs; i++) {
        const bl_inf_version_info *v = bl_inf_version(r->infs[i]);
        const bl_inf_summary *s = &a->infs[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", bl_inf_name(r->infs[i]));
        cJSON_AddStringToObject(o, "encoding", bl_inf_encoding_name(bl_inf_get_encoding(r->infs[i])));
        cJSON_AddItemToObject(o, "class", v->class_name ? cJSON_CreateString(v->class_name) : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "class_guid", v->class_guid ? cJSON_CreateString(v->class_guid) : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "default_install",
                              s->default_install ? cJSON_CreateString(s->default_install) : cJSON_CreateNull());
        cJSON_AddBoolToObject(o, "class_installed", s->class_installed);
        cJSON_AddNumberToObject(o, "model_entries", s->model_entries);
        cJSON_AddNumberToObject(o, "matched_devices", s->matched_devices);
        cJSON_AddNumberToObject(o, "parser_warnings", bl_inf_diag_count(r->infs[i]));
        cJSON_AddItemToArray(infs, o);
    }

    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    add_counts(sum, res, true);
    cJSON_AddNumberToObject(sum, "writes", a->nwrites);
    cJSON_AddNumberToObject(sum, "warnings", count_level(a, BL_APPLY_WARNING));

    cJSON *fs = cJSON_AddArrayToObject(root, "findings");
    for (uint32_t i = 0; i < res->findings.n; i++)
        cJSON_AddItemToArray(fs, finding_json(res, i));

    cJSON *devs = cJSON_AddArrayToObject(root, "devices");
    for (uint32_t i = 0; i < a->nmatches; i++) {
        const bl_inf_match *x = &a->matches[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "inf_file", x->inf);
        cJSON_AddNumberToObject(o, "inf_line", x->line);
        cJSON_AddStringToObject(o, "instance_id", x->instance_id);
        cJSON_AddStringToObject(o, "matched_id", x->matched_id);
        cJSON_AddStringToObject(o, "install", x->install);
        cJSON_AddItemToArray(devs, o);
    }

    cJSON *applied = cJSON_AddObjectToObject(root, "applied");
    cJSON *ws = cJSON_AddArrayToObject(applied, "writes");
    for (uint32_t i = 0; i < a->nwrites; i++) {
        const bl_inf_write *w = &a->writes[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "inf_file", w->origin.inf);
        cJSON_AddNumberToObject(o, "inf_line", w->origin.line);
        cJSON_AddStringToObject(o, "directive", w->origin.directive);
        if (w->origin.via)
            cJSON_AddNumberToObject(o, "via_line", w->origin.via);
        else
            cJSON_AddNullToObject(o, "via_line");
        cJSON_AddStringToObject(o, "key", w->change.key);
        cJSON_AddItemToObject(o, "value", w->change.value ? cJSON_CreateString(w->change.value) : cJSON_CreateNull());
        cJSON_AddStringToObject(o, "operation", w->change.delete_key     ? "delete-key"
                                                : w->change.delete_value ? "delete-value"
                                                                         : "set");
        cJSON_AddItemToObject(o, "type", w->change.delete_key || w->change.delete_value
                                             ? cJSON_CreateNull()
                                             : cJSON_CreateString(bl_reg_type_name(w->change.type)));
        cJSON_AddItemToObject(o, "data", data_json(&w->change));
        cJSON_AddBoolToObject(o, "in_model", w->in_model);
        cJSON_AddStringToObject(o, "what", w->what);
        cJSON_AddItemToArray(ws, o);
    }
    bl_sb reg = {0};
    bl_apply_result_reg(a, &reg);
    cJSON_AddStringToObject(applied, "reg", bl_sb_str(&reg));
    bl_sb_free(&reg);

    cJSON_AddItemToObject(root, "diagnostics", diagnostics_json(a, r->infs, r->ninfs));
    cJSON_AddItemToObject(root, "unused_suppressions", unused_json(res->external, &res, 1));
    bl_json_print(out, root, false);
}

/* ---- SARIF ---- */

/* msg without its "INF:LINE: " head, which the notification's location
 * says already. */
static const char *without_location(const char *msg, const char *inf, uint32_t line)
{
    size_t n = strlen(inf);
    if (strncmp(msg, inf, n) != 0 || msg[n] != ':')
        return msg;
    const char *p = msg + n + 1;
    char *end;
    unsigned long v = strtoul(p, &end, 10);
    if (end == p || v != line || strncmp(end, ": ", 2) != 0)
        return msg;
    return end + 2;
}

/* Parser and apply diagnostics, each at its INF line, after room for
 * `extra` more the caller fills in. */
static bl_sarif_notice *lint_notices(const bl_apply_result *a, const bl_inf *const *infs, uint32_t ninfs,
                                     uint32_t extra, uint32_t *n)
{
    uint32_t cap = extra + (a ? a->ndiags : 0);
    for (uint32_t i = 0; i < ninfs; i++)
        cap += bl_inf_diag_count(infs[i]);
    bl_sarif_notice *v = bl_xcalloc(cap ? cap : 1, sizeof *v);
    *n = 0;
    for (uint32_t i = 0; i < ninfs; i++)
        for (uint32_t k = 0; k < bl_inf_diag_count(infs[i]); k++) {
            const bl_inf_diag *d = bl_inf_diag_at(infs[i], k);
            const char *name = bl_inf_name(infs[i]);
            v[(*n)++] = (bl_sarif_notice){BL_SEV_WARNING, without_location(d->message, name, d->line_no), name,
                                          d->line_no};
        }
    for (uint32_t i = 0; a && i < a->ndiags; i++) {
        const bl_apply_diag *d = &a->diags[i];
        v[(*n)++] = (bl_sarif_notice){d->level == BL_APPLY_WARNING ? BL_SEV_WARNING : BL_SEV_INFO,
                                      without_location(d->message, d->inf, d->line), d->inf, d->line};
    }
    return v;
}

/* Where a lint finding points: its primary INF line; with none (the
 * finding follows from the INFs as a whole), the first INF's [Version]
 * header, so that code scanning still has a place to annotate. */
static bool item_location(const bl_lint_item *it, const bl_inf *const *infs, uint32_t ninfs, bl_sarif_location *loc)
{
    if (it->primary.inf) {
        loc->uri = it->primary.inf;
        loc->line = it->primary.line;
        return true;
    }
    if (!ninfs)
        return false;
    const bl_inf_section *v = bl_inf_find_section(infs[0], "Version");
    loc->uri = bl_inf_name(infs[0]);
    loc->line = v ? v->line_no : 1;
    return true;
}

static cJSON *sarif_related(const char *uri, uint32_t line, const char *text, uint32_t id)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", id);
    cJSON_AddItemToObject(o, "physicalLocation", bl_sarif_physical_location(uri, line));
    cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "message"), "text", text);
    return o;
}

/* What only the lint knows, added to a result: the related INF lines, the
 * INF edit of the first fix, the suppressions, the severity the baseline
 * had.  Returns relatedLocations, for the caller to add more. */
static cJSON *extend_item(const bl_lint_item *it, const bl_finding *f, cJSON *result)
{
    cJSON *rel = NULL;
    if (it->nrelated) {
        rel = cJSON_AddArrayToObject(result, "relatedLocations");
        for (uint32_t k = 0; k < it->nrelated; k++) {
            const bl_lint_location *l = &it->related[k];
            bl_sb msg = {0};
            bl_sb_addf(&msg, "%s: %s", l->directive, l->what ? l->what : "");
            cJSON_AddItemToArray(rel, sarif_related(l->inf, l->line, bl_sb_str(&msg), k + 1));
            bl_sb_free(&msg);
        }
    }
    cJSON *msg = cJSON_GetObjectItem(result, "message");
    const char *fix = it->inf_fixes && f->nfixes ? it->inf_fixes[0] : NULL;
    if (fix && cJSON_IsString(cJSON_GetObjectItem(msg, "text"))) {
        bl_sb text = {0};
        bl_sb_addf(&text, "%s. In the INF: %s", cJSON_GetObjectItem(msg, "text")->valuestring, fix);
        cJSON_ReplaceItemInObject(msg, "text", cJSON_CreateString(bl_sb_str(&text)));
        bl_sb_free(&text);
    }
    if (it->nsuppressed) {
        cJSON *sup = cJSON_AddArrayToObject(result, "suppressions");
        for (uint32_t k = 0; k < it->nsuppressed; k++) {
            const bl_suppression *s = it->suppressed_by[k];
            cJSON_AddItemToArray(sup, bl_sarif_suppression(s->in_source, s->reason, s->file, s->line));
        }
    }
    cJSON *props = cJSON_GetObjectItem(result, "properties");
    if (props && !it->primary.inf)
        cJSON_AddBoolToObject(props, "followsFromTheInfsAsAWhole", true);
    if (props && it->more_severe)
        cJSON_AddStringToObject(props, "baselineSeverity", bl_severity_name(it->was));
    return rel;
}

static bool lint_location(void *ctx, const bl_finding *f, bl_sarif_location *loc)
{
    const bl_lint_report *r = ctx;
    return item_location(&r->result->items[f - r->result->findings.v], r->infs, r->ninfs, loc);
}

static void lint_extend(void *ctx, const bl_finding *f, cJSON *result)
{
    const bl_lint_report *r = ctx;
    extend_item(&r->result->items[f - r->result->findings.v], f, result);
}

void bl_report_lint_sarif(FILE *out, const bl_lint_report *r, int exit_code)
{
    uint32_t n;
    bl_sarif_notice *notices = lint_notices(&r->result->applied, r->infs, r->ninfs, 0, &n);
    bl_sarif_run run = {&r->result->findings, lint_location, lint_extend, (void *)r, notices, n, false, exit_code};
    bl_report_sarif(out, &run);
    free(notices);
}

/* ---- fleet: one INF change judged against many baselines ---- */

/* One finding of one baseline; refs sorted by subject make the groups. */
typedef struct fleet_ref {
    const char *subject;
    uint32_t b, i; /* baseline, finding */
} fleet_ref;

/* One distinct finding (by id) across the baselines. */
typedef struct fleet_group {
    uint32_t first, n;     /* its refs */
    uint32_t rep;          /* the ref shown: the worst not suppressed, else the worst */
    uint32_t unsuppressed; /* refs no suppression covers */
    int rank;              /* for the order shown: see group_rank */
    const char *subject;
} fleet_group;

typedef struct fleet_index {
    fleet_ref *refs;
    uint32_t nrefs;
    fleet_group *groups;
    uint32_t ngroups;
} fleet_index;

static const bl_finding *ref_finding(const bl_lint_fleet *f, const fleet_ref *r)
{
    return &f->baselines[r->b].result.findings.v[r->i];
}

static const bl_lint_item *ref_item(const bl_lint_fleet *f, const fleet_ref *r)
{
    return &f->baselines[r->b].result.items[r->i];
}

static int ref_cmp(const void *x, const void *y)
{
    const fleet_ref *a = x, *b = y;
    int c = strcmp(a->subject, b->subject);
    if (c)
        return c;
    return a->b < b->b ? -1 : a->b > b->b;
}

/* The group's severity: its worst finding no suppression covers (or the
 * worst at all when all are suppressed), as bl_severity + 3 when some are
 * not suppressed, so that sorting puts live groups first. */
static int group_rank(const bl_lint_fleet *f, const fleet_index *x, const fleet_group *g)
{
    const fleet_ref *r = &x->refs[g->rep];
    return (int)ref_finding(f, r)->severity + (g->unsuppressed ? 3 : 0);
}

static int group_cmp(const void *x, const void *y)
{
    const fleet_group *a = x, *b = y;
    if (a->rank != b->rank)
        return a->rank > b->rank ? -1 : 1;
    if (a->unsuppressed != b->unsuppressed)
        return a->unsuppressed > b->unsuppressed ? -1 : 1;
    return strcmp(a->subject, b->subject);
}

/* Groups every finding of every usable baseline by its id: sorting, then
 * one pass (n log n in the number of findings). */
static void fleet_index_build(const bl_lint_fleet *f, fleet_index *x)
{
    memset(x, 0, sizeof *x);
    uint32_t n = 0;
    for (uint32_t b = 0; b < f->n; b++)
        if (!f->baselines[b].error)
            n += f->baselines[b].result.findings.n;
    x->refs = bl_xcalloc(n ? n : 1, sizeof *x->refs);
    for (uint32_t b = 0; b < f->n; b++)
        for (uint32_t i = 0; !f->baselines[b].error && i < f->baselines[b].result.findings.n; i++)
            x->refs[x->nrefs++] = (fleet_ref){f->baselines[b].result.findings.v[i].subject, b, i};
    qsort(x->refs, x->nrefs, sizeof *x->refs, ref_cmp);
    x->groups = bl_xcalloc(n ? n : 1, sizeof *x->groups);
    for (uint32_t k = 0; k < x->nrefs;) {
        fleet_group *g = &x->groups[x->ngroups++];
        g->first = g->rep = k;
        for (; k < x->nrefs && strcmp(x->refs[k].subject, x->refs[g->first].subject) == 0; k++) {
            g->n++;
            bool live = !ref_item(f, &x->refs[k])->nsuppressed;
            g->unsuppressed += live;
            const bl_finding *cur = ref_finding(f, &x->refs[k]), *best = ref_finding(f, &x->refs[g->rep]);
            bool best_live = !ref_item(f, &x->refs[g->rep])->nsuppressed;
            if ((live && !best_live) || (live == best_live && cur->severity > best->severity))
                g->rep = k;
        }
    }
    for (uint32_t k = 0; k < x->ngroups; k++) {
        x->groups[k].rank = group_rank(f, x, &x->groups[k]);
        x->groups[k].subject = x->refs[x->groups[k].first].subject;
    }
    qsort(x->groups, x->ngroups, sizeof *x->groups, group_cmp);
}

static void fleet_index_free(fleet_index *x)
{
    free(x->refs);
    free(x->groups);
}

/* A baseline's verdict from its findings no suppression covers. */
static const char *baseline_status(const bl_lint_baseline *b, uint32_t counts[3])
{
    counts[0] = counts[1] = counts[2] = 0;
    if (b->error)
        return "unusable";
    count_unsuppressed(&b->result, counts);
    return counts[BL_SEV_ERROR] ? "breaks-boot" : counts[BL_SEV_WARNING] ? "new-warnings"
                                              : counts[BL_SEV_INFO]     ? "new-info"
                                                                        : "clean";
}

static const char *fleet_baseline_name(const bl_lint_baseline *b)
{
    return b->path ? b->path : "built-in baseline";
}

typedef struct fleet_counts {
    uint32_t unusable, breaking, warned, info, clean, failing, suppressed;
} fleet_counts;

static void fleet_count(const bl_lint_fleet *f, fleet_counts *c)
{
    memset(c, 0, sizeof *c);
    for (uint32_t b = 0; b < f->n; b++) {
        uint32_t k[3];
        const char *st = baseline_status(&f->baselines[b], k);
        c->unusable += strcmp(st, "unusable") == 0;
        c->breaking += strcmp(st, "breaks-boot") == 0;
        c->warned += strcmp(st, "new-warnings") == 0;
        c->info += strcmp(st, "new-info") == 0;
        c->clean += strcmp(st, "clean") == 0;
        if (!f->baselines[b].error) {
            c->failing += bl_lint_fails(&f->baselines[b].result, f->fail_on);
            c->suppressed += f->baselines[b].result.suppressed;
        }
    }
}

int bl_lint_fleet_exit(const bl_lint_fleet *f)
{
    fleet_counts c;
    fleet_count(f, &c);
    return c.unusable ? 2 : c.failing ? 1 : 0;
}

/* n with thousands separators: "1,200". */
static const char *count_text(uint32_t n, char buf[16])
{
    char digits[12];
    int len = snprintf(digits, sizeof digits, "%u", n), o = 0;
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

/* Every usable baseline's result (NULL for the others), for the checks
 * that look at all of them. */
static const bl_lint_result **fleet_results(const bl_lint_fleet *f)
{
    const bl_lint_result **v = bl_xcalloc(f->n ? f->n : 1, sizeof *v);
    for (uint32_t b = 0; b < f->n; b++)
        v[b] = f->baselines[b].error ? NULL : &f->baselines[b].result;
    return v;
}

/* The first usable baseline: whose apply result stands for what the INFs
 * do (device matches differ from one configuration to the next). */
static const bl_lint_baseline *first_usable(const bl_lint_fleet *f)
{
    for (uint32_t b = 0; b < f->n; b++)
        if (!f->baselines[b].error)
            return &f->baselines[b];
    return NULL;
}

/* "    error on 3 of 1,200 baselines: a, b, c" — a line per severity the
 * finding has (the first ten baselines of each named). */
static void group_baselines_text(const bl_lint_fleet *f, const fleet_index *x, const fleet_group *g, bl_sb *sb)
{
    char n1[16], n2[16];
    for (int sev = BL_SEV_ERROR; sev >= BL_SEV_INFO; sev--) {
        uint32_t count = 0;
        for (uint32_t k = 0; k < g->n; k++)
            count += (int)ref_finding(f, &x->refs[g->first + k])->severity == sev;
        if (!count)
            continue;
        bl_sb_addf(sb, "    %s on %s of %s baselines: ", bl_severity_name((bl_severity)sev), count_text(count, n1),
                   count_text(f->n, n2));
        uint32_t named = 0;
        for (uint32_t k = 0; k < g->n; k++) {
            const fleet_ref *r = &x->refs[g->first + k];
            if ((int)ref_finding(f, r)->severity != sev)
                continue;
            if (named < 10) {
                bl_sb_addf(sb, "%s%s", named ? ", " : "", fleet_baseline_name(&f->baselines[r->b]));
                if (ref_item(f, r)->nsuppressed)
                    bl_sb_add(sb, " (suppressed)");
            }
            named++;
        }
        if (named > 10)
            bl_sb_addf(sb, " and %u more (--format json lists them all)", named - 10);
        bl_sb_addc(sb, '\n');
    }
}

void bl_report_lint_fleet_text(FILE *out, const bl_lint_fleet *f, const bl_text_options *o)
{
    char n1[16], n2[16];
    bl_sb tgt = {0};
    target_text(f->target, &tgt);
    fprintf(out, "bootlens lint: ");
    for (uint32_t i = 0; i < f->ninfs; i++)
        fprintf(out, "%s%s", i ? ", " : "", bl_inf_name(f->infs[i]));
    fprintf(out, " on %s baselines, target %s\n", count_text(f->n, n1), bl_sb_str(&tgt));
    bl_sb_free(&tgt);
    fleet_counts c;
    fleet_count(f, &c);
    fprintf(out, "\nBreaks boot on %s of %s configurations (a new error); new warnings on %u more; %u clean",
            count_text(c.breaking, n1), count_text(f->n, n2), c.warned, c.clean + c.info);
    if (c.unusable)
        fprintf(out, "; %u unusable", c.unusable);
    if (c.suppressed)
        fprintf(out, "; %u suppressed finding%s", c.suppressed, c.suppressed == 1 ? "" : "s");
    fputs(".\n", out);
    if (f->fail_on < BL_SEV_ERROR)
        fprintf(out, "--fail-on %s: %u of them fail.\n", bl_severity_name((bl_severity)f->fail_on), c.failing);

    fleet_index x;
    fleet_index_build(f, &x);
    bool any_info = false, any_suppressed = false;
    for (uint32_t k = 0; k < x.ngroups; k++) {
        const fleet_group *g = &x.groups[k];
        const fleet_ref *r = &x.refs[g->rep];
        const bl_finding *fd = ref_finding(f, r);
        if (!g->unsuppressed) {
            any_suppressed = true;
            continue;
        }
        if (fd->severity == BL_SEV_INFO && !o->verbose) {
            any_info = true;
            continue;
        }
        bl_sb on = {0};
        group_baselines_text(f, &x, g, &on);
        if (g->n > 1)
            bl_sb_addf(&on, "    (details as on %s)\n", fleet_baseline_name(&f->baselines[r->b]));
        fputc('\n', out);
        print_lint_finding(out, &f->baselines[r->b].result, r->i, o, bl_sb_str(&on));
        bl_sb_free(&on);
    }
    if (any_info) {
        fputs("\nNew info (--verbose for details):\n", out);
        for (uint32_t k = 0; k < x.ngroups; k++) {
            const fleet_group *g = &x.groups[k];
            const fleet_ref *r = &x.refs[g->rep];
            if (!g->unsuppressed || ref_finding(f, r)->severity != BL_SEV_INFO)
                continue;
            print_brief(out, &f->baselines[r->b].result, r->i, "  ");
            fprintf(out, "      on %u of %u baselines\n", g->n, f->n);
        }
    }
    if (any_suppressed) {
        fputs("\nSuppressed everywhere (reported, not counted for --fail-on):\n", out);
        for (uint32_t k = 0; k < x.ngroups; k++) {
            const fleet_group *g = &x.groups[k];
            const fleet_ref *r = &x.refs[g->rep];
            if (g->unsuppressed)
                continue;
            fprintf(out, "  %s ", bl_severity_label(ref_finding(f, r)->severity, o->color));
            print_brief(out, &f->baselines[r->b].result, r->i, "");
            bl_sb on = {0};
            group_baselines_text(f, &x, g, &on);
            fputs(bl_sb_str(&on), out);
            bl_sb_free(&on);
            print_suppressions(out, ref_item(f, r), "      ");
        }
    }
    if (!x.ngroups)
        fputs("\nNo new finding on any baseline: bootlens sees no boot problem these INFs introduce.\n", out);
    fleet_index_free(&x);
    const bl_lint_result **all = fleet_results(f);
    const bl_lint_baseline *u0 = first_usable(f);
    print_unused(out, u0 ? u0->result.external : NULL, all, f->n);
    free(all);

    fputs("\nPer baseline:\n", out);
    for (uint32_t b = 0; b < f->n; b++) {
        const bl_lint_baseline *bl = &f->baselines[b];
        uint32_t k[3];
        const char *st = baseline_status(bl, k);
        if (bl->error) {
            fprintf(out, "  %s: unusable: %s\n", fleet_baseline_name(bl), bl->error);
            continue;
        }
        fprintf(out, "  %s (%s): ", fleet_baseline_name(bl), bl->control_set ? bl->control_set : "?");
        if (strcmp(st, "clean") == 0 || (strcmp(st, "new-info") == 0 && !o->verbose)) {
            fprintf(out, "clean%s", k[0] ? " (new info only)" : "");
            if (bl->result.suppressed)
                fprintf(out, " (%u suppressed)", bl->result.suppressed);
            fputc('\n', out);
            continue;
        }
        fprintf(out, "%u new error%s, %u new warning%s —", k[2], k[2] == 1 ? "" : "s", k[1], k[1] == 1 ? "" : "s");
        uint32_t shown = 0, total = 0;
        for (uint32_t i = 0; i < bl->result.findings.n; i++) {
            const bl_finding *fd = &bl->result.findings.v[i];
            const bl_lint_item *it = &bl->result.items[i];
            if (it->nsuppressed || (fd->severity == BL_SEV_INFO && !o->verbose))
                continue;
            total++;
            if (shown == 5)
                continue;
            fprintf(out, "%s %s [%s]", shown ? ";" : "", bl_severity_name(fd->severity), fd->rule);
            if (it->primary.inf)
                fprintf(out, " %s:%u", it->primary.inf, it->primary.line);
            shown++;
        }
        if (total > shown)
            fprintf(out, "; and %u more", total - shown);
        fputc('\n', out);
    }
    const bl_lint_baseline *u = first_usable(f);
    if (u) {
        print_infs(out, &u->result.applied, f->infs, f->ninfs);
        if (f->n > 1)
            fprintf(out, "    (devices matched on %s; other baselines have other devices)\n", fleet_baseline_name(u));
    }
    print_warnings(out, u ? &u->result.applied : NULL, f->infs, f->ninfs);
}

void bl_report_lint_fleet_json(FILE *out, const bl_lint_fleet *f)
{
    cJSON *root = bl_json_envelope("lint", inputs_copy(f->inputs));
    cJSON_AddItemToObject(root, "target", target_json(f->target));
    cJSON *infs = cJSON_AddArrayToObject(root, "infs");
    for (uint32_t i = 0; i < f->ninfs; i++)
        cJSON_AddItemToArray(infs, cJSON_CreateString(bl_inf_name(f->infs[i])));
    fleet_counts c;
    fleet_count(f, &c);
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    cJSON_AddNumberToObject(sum, "baselines", f->n);
    cJSON_AddNumberToObject(sum, "unusable", c.unusable);
    cJSON_AddNumberToObject(sum, "breaks_boot", c.breaking);
    cJSON_AddNumberToObject(sum, "new_warnings", c.warned);
    cJSON_AddNumberToObject(sum, "new_info_only", c.info);
    cJSON_AddNumberToObject(sum, "clean", c.clean);
    cJSON_AddNumberToObject(sum, "failing", c.failing);
    cJSON_AddStringToObject(sum, "fail_on", f->fail_on > BL_SEV_ERROR ? "never"
                                                                       : bl_severity_name((bl_severity)f->fail_on));
    cJSON_AddNumberToObject(sum, "suppressed", c.suppressed);

    cJSON *bs = cJSON_AddArrayToObject(root, "baselines");
    for (uint32_t b = 0; b < f->n; b++) {
        const bl_lint_baseline *bl = &f->baselines[b];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "path", bl->path ? cJSON_CreateString(bl->path) : cJSON_CreateNull());
        cJSON_AddBoolToObject(o, "builtin", bl->path == NULL);
        uint32_t k[3];
        cJSON_AddStringToObject(o, "status", baseline_status(bl, k));
        if (bl->error) {
            cJSON_AddStringToObject(o, "error", bl->error);
        } else {
            cJSON_AddStringToObject(o, "control_set", bl->control_set ? bl->control_set : "");
            add_counts(cJSON_AddObjectToObject(o, "summary"), &bl->result, false);
            cJSON *fs = cJSON_AddArrayToObject(o, "findings");
            for (uint32_t i = 0; i < bl->result.findings.n; i++)
                cJSON_AddItemToArray(fs, finding_json(&bl->result, i));
        }
        cJSON_AddItemToArray(bs, o);
    }

    fleet_index x;
    fleet_index_build(f, &x);
    cJSON *gs = cJSON_AddArrayToObject(root, "findings");
    for (uint32_t k = 0; k < x.ngroups; k++) {
        const fleet_group *g = &x.groups[k];
        const fleet_ref *r = &x.refs[g->rep];
        const bl_finding *fd = ref_finding(f, r);
        const bl_lint_item *it = ref_item(f, r);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", fd->subject);
        cJSON_AddStringToObject(o, "rule", fd->rule);
        cJSON_AddStringToObject(o, "severity", bl_severity_name(fd->severity));
        cJSON_AddStringToObject(o, "message", fd->message);
        if (it->primary.inf) {
            cJSON_AddStringToObject(o, "inf_file", it->primary.inf);
            cJSON_AddNumberToObject(o, "inf_line", it->primary.line);
        } else {
            cJSON_AddNullToObject(o, "inf_file");
            cJSON_AddNullToObject(o, "inf_line");
        }
        cJSON_AddNumberToObject(o, "baseline_count", g->n);
        cJSON_AddNumberToObject(o, "unsuppressed_count", g->unsuppressed);
        cJSON *on = cJSON_AddArrayToObject(o, "baselines");
        for (uint32_t j = 0; j < g->n; j++) {
            const fleet_ref *q = &x.refs[g->first + j];
            cJSON *e = cJSON_CreateObject();
            const bl_lint_baseline *bl = &f->baselines[q->b];
            cJSON_AddItemToObject(e, "path", bl->path ? cJSON_CreateString(bl->path) : cJSON_CreateNull());
            cJSON_AddStringToObject(e, "severity", bl_severity_name(ref_finding(f, q)->severity));
            cJSON_AddBoolToObject(e, "suppressed", ref_item(f, q)->nsuppressed > 0);
            cJSON_AddItemToArray(on, e);
        }
        cJSON_AddItemToArray(gs, o);
    }
    fleet_index_free(&x);
    const bl_lint_baseline *u = first_usable(f);
    cJSON_AddItemToObject(root, "diagnostics", diagnostics_json(u ? &u->result.applied : NULL, f->infs, f->ninfs));
    const bl_lint_result **all = fleet_results(f);
    cJSON_AddItemToObject(root, "unused_suppressions", unused_json(u ? u->result.external : NULL, all, f->n));
    free(all);
    bl_json_print(out, root, false);
}

/* SARIF: the results are the groups' representatives. */
typedef struct fleet_sarif {
    const bl_lint_fleet *f;
    const fleet_index *x;
    const bl_finding *reps; /* parallel to x->groups */
} fleet_sarif;

static bool fleet_location(void *ctx, const bl_finding *fd, bl_sarif_location *loc)
{
    const fleet_sarif *s = ctx;
    const fleet_group *g = &s->x->groups[fd - s->reps];
    return item_location(ref_item(s->f, &s->x->refs[g->rep]), s->f->infs, s->f->ninfs, loc);
}

/* Related locations shown per result: the baselines past these are in
 * properties.baselines. */
#define FLEET_MAX_RELATED_BASELINES 20

static void fleet_extend(void *ctx, const bl_finding *fd, cJSON *result)
{
    const fleet_sarif *s = ctx;
    const bl_lint_fleet *f = s->f;
    const fleet_group *g = &s->x->groups[fd - s->reps];
    const bl_lint_item *it = ref_item(f, &s->x->refs[g->rep]);
    cJSON *rel = extend_item(it, fd, result);
    char n1[16], n2[16];
    cJSON *msg = cJSON_GetObjectItem(result, "message");
    if (cJSON_IsString(cJSON_GetObjectItem(msg, "text"))) {
        bl_sb text = {0};
        bl_sb_addf(&text, "%s (on %s of %s baselines)", cJSON_GetObjectItem(msg, "text")->valuestring,
                   count_text(g->n, n1), count_text(f->n, n2));
        cJSON_ReplaceItemInObject(msg, "text", cJSON_CreateString(bl_sb_str(&text)));
        bl_sb_free(&text);
    }
    if (!rel)
        rel = cJSON_AddArrayToObject(result, "relatedLocations");
    uint32_t id = it->nrelated + 1;
    cJSON *props = cJSON_GetObjectItem(result, "properties");
    cJSON *list = cJSON_AddArrayToObject(props, "baselines");
    for (uint32_t j = 0; j < g->n; j++) {
        const fleet_ref *q = &s->x->refs[g->first + j];
        const bl_lint_baseline *bl = &f->baselines[q->b];
        const bl_finding *qf = ref_finding(f, q);
        bool sup = ref_item(f, q)->nsuppressed > 0;
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "path", fleet_baseline_name(bl));
        cJSON_AddStringToObject(e, "severity", bl_severity_name(qf->severity));
        cJSON_AddBoolToObject(e, "suppressed", sup);
        cJSON_AddItemToArray(list, e);
        if (bl->path && j < FLEET_MAX_RELATED_BASELINES) {
            bl_sb t = {0};
            bl_sb_addf(&t, "baseline where the INFs cause it (%s%s)", bl_severity_name(qf->severity),
                       sup ? ", suppressed" : "");
            cJSON_AddItemToArray(rel, sarif_related(bl->path, 0, bl_sb_str(&t), id++));
            bl_sb_free(&t);
        }
    }
    if (!cJSON_GetArraySize(rel))
        cJSON_DeleteItemFromObject(result, "relatedLocations");
    cJSON_AddNumberToObject(props, "baselineCount", g->n);
    cJSON_AddNumberToObject(props, "baselinesTotal", f->n);
}

void bl_report_lint_fleet_sarif(FILE *out, const bl_lint_fleet *f, int exit_code)
{
    fleet_index x;
    fleet_index_build(f, &x);
    bl_findings reps = {0};
    reps.v = bl_xcalloc(x.ngroups ? x.ngroups : 1, sizeof *reps.v);
    for (uint32_t k = 0; k < x.ngroups; k++)
        reps.v[reps.n++] = *ref_finding(f, &x.refs[x.groups[k].rep]); /* shallow: not freed */
    const bl_lint_baseline *u = first_usable(f);
    fleet_counts c;
    fleet_count(f, &c);
    uint32_t n;
    bl_sarif_notice *notices = lint_notices(u ? &u->result.applied : NULL, f->infs, f->ninfs, c.unusable, &n);
    /* An unusable baseline is named by its path; an INF that a baseline's
     * apply step refused, by the INF line. */
    const char **paths = bl_xcalloc(f->ninfs + 1, sizeof *paths);
    for (uint32_t i = 0; i < f->ninfs; i++)
        paths[i] = bl_inf_name(f->infs[i]);
    for (uint32_t b = 0; b < f->n; b++) {
        const bl_lint_baseline *bl = &f->baselines[b];
        if (!bl->error)
            continue;
        paths[f->ninfs] = bl->path;
        notices[n] = bl_sarif_notice_for_error(bl->error, paths, f->ninfs + 1);
        if (!notices[n].uri)
            notices[n].uri = bl->path;
        n++;
    }
    free(paths);
    fleet_sarif ctx = {f, &x, reps.v};
    bl_sarif_run run = {&reps, fleet_location, fleet_extend, &ctx, notices, n, c.unusable > 0, exit_code};
    bl_report_sarif(out, &run);
    free(notices);
    free(reps.v);
    fleet_index_free(&x);
}
