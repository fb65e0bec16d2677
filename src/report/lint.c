/* lint.c — rendering `bootlens lint`: text that answers first (which INF
 * line causes what, and the verified fix), JSON with every write and its
 * provenance, and SARIF whose results sit on INF lines for CI annotations. */
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

static void print_lint_finding(FILE *out, const bl_lint_result *res, uint32_t i, const bl_text_options *o)
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

static void print_infs(FILE *out, const bl_lint_report *r)
{
    const bl_apply_result *a = &r->result->applied;
    fputs("\nWhat the INFs do:\n", out);
    for (uint32_t i = 0; i < a->ninfs; i++) {
        const bl_inf_summary *s = &a->infs[i];
        const bl_inf_version_info *v = i < r->ninfs ? bl_inf_version(r->infs[i]) : NULL;
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
    bl_findings_count(&res->findings, counts);
    fprintf(out, "\n%u new error%s, %u new warning%s, %u new info; %u finding%s of the baseline set aside (not the "
                 "INFs' doing)",
            counts[2], counts[2] == 1 ? "" : "s", counts[1], counts[1] == 1 ? "" : "s", counts[0], res->set_aside,
            res->set_aside == 1 ? "" : "s");
    if (res->gone)
        fprintf(out, "; %u gone with the INFs", res->gone);
    fputs("\n", out);
    for (uint32_t i = 0; i < res->findings.n; i++) {
        if (res->findings.v[i].severity == BL_SEV_INFO && !o->verbose)
            continue;
        fputc('\n', out);
        print_lint_finding(out, res, i, o);
    }
    if (counts[0] && !o->verbose) {
        fputs("\nNew info (--verbose for details):\n", out);
        for (uint32_t i = 0; i < res->findings.n; i++) {
            const bl_lint_item *it = &res->items[i];
            if (res->findings.v[i].severity != BL_SEV_INFO)
                continue;
            if (it->primary.inf)
                fprintf(out, "  %s:%u: [%s] %s\n", it->primary.inf, it->primary.line, res->findings.v[i].rule,
                        res->findings.v[i].message);
            else
                fprintf(out, "  [%s] %s\n", res->findings.v[i].rule, res->findings.v[i].message);
        }
    }
    if (!res->findings.n)
        fputs("\nNo new finding: bootlens sees no boot problem these INFs introduce.\n", out);
    print_infs(out, r);
    const bl_apply_result *a = &res->applied;
    uint32_t warnings = count_level(a, BL_APPLY_WARNING), notes = count_level(a, BL_APPLY_NOTE);
    if (warnings) {
        fputs("\nNot modelled or suspicious (warnings):\n", out);
        for (uint32_t i = 0; i < a->ndiags; i++)
            if (a->diags[i].level == BL_APPLY_WARNING)
                fprintf(out, "  %s\n", a->diags[i].message);
    }
    bool header = false;
    for (uint32_t i = 0; i < r->ninfs; i++)
        for (uint32_t k = 0; k < bl_inf_diag_count(r->infs[i]); k++) {
            if (!header)
                fputs("\nParser warnings:\n", out);
            header = true;
            fprintf(out, "  %s\n", bl_inf_diag_at(r->infs[i], k)->message);
        }
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
    return o;
}

void bl_report_lint_json(FILE *out, const bl_lint_report *r)
{
    const bl_lint_result *res = r->result;
    const bl_apply_result *a = &res->applied;
    cJSON *root = cJSON_CreateObject();
    cJSON *tool = cJSON_AddObjectToObject(root, "tool");
    cJSON_AddStringToObject(tool, "name", "bootlens");
    cJSON_AddStringToObject(tool, "command", "lint");
    cJSON *base = cJSON_AddObjectToObject(root, "baseline");
    if (r->baseline)
        cJSON_AddStringToObject(base, "path", r->baseline);
    else
        cJSON_AddNullToObject(base, "path");
    cJSON_AddBoolToObject(base, "builtin", r->baseline == NULL);
    cJSON_AddStringToObject(base, "control_set", bl_model_str(res->after, res->after->control_set_name));
    cJSON *tg = cJSON_AddObjectToObject(root, "target");
    cJSON_AddStringToObject(tg, "arch", bl_inf_arch_name(r->target->arch));
    bl_sb ver = {0};
    bl_sb_addf(&ver, "%u.%u.%u", r->target->major, r->target->minor, r->target->build);
    cJSON_AddStringToObject(tg, "os_version", bl_sb_str(&ver));
    bl_sb_free(&ver);

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

    uint32_t counts[3];
    bl_findings_count(&res->findings, counts);
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    cJSON_AddNumberToObject(sum, "new_errors", counts[BL_SEV_ERROR]);
    cJSON_AddNumberToObject(sum, "new_warnings", counts[BL_SEV_WARNING]);
    cJSON_AddNumberToObject(sum, "new_info", counts[BL_SEV_INFO]);
    cJSON_AddNumberToObject(sum, "baseline_findings", res->baseline.n);
    cJSON_AddNumberToObject(sum, "set_aside", res->set_aside);
    cJSON_AddNumberToObject(sum, "gone", res->gone);
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

    cJSON *diags = cJSON_AddArrayToObject(root, "diagnostics");
    for (uint32_t i = 0; i < r->ninfs; i++)
        for (uint32_t k = 0; k < bl_inf_diag_count(r->infs[i]); k++) {
            const bl_inf_diag *d = bl_inf_diag_at(r->infs[i], k);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "level", "parser-warning");
            cJSON_AddStringToObject(o, "inf_file", bl_inf_name(r->infs[i]));
            cJSON_AddNumberToObject(o, "inf_line", d->line_no);
            cJSON_AddStringToObject(o, "message", d->message);
            cJSON_AddItemToArray(diags, o);
        }
    for (uint32_t i = 0; i < a->ndiags; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "level", a->diags[i].level == BL_APPLY_WARNING ? "warning" : "note");
        cJSON_AddStringToObject(o, "inf_file", a->diags[i].inf);
        cJSON_AddNumberToObject(o, "inf_line", a->diags[i].line);
        cJSON_AddStringToObject(o, "message", a->diags[i].message);
        cJSON_AddItemToArray(diags, o);
    }
    bl_json_print(out, root, false);
}

/* ---- SARIF ---- */

static bool lint_location(void *ctx, const bl_finding *f, bl_sarif_location *loc)
{
    const bl_lint_result *res = ctx;
    const bl_lint_item *it = &res->items[f - res->findings.v];
    if (!it->primary.inf)
        return false;
    loc->uri = it->primary.inf;
    loc->line = it->primary.line;
    return true;
}

static cJSON *sarif_related(const bl_lint_location *l, uint32_t id)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", id);
    cJSON_AddItemToObject(o, "physicalLocation", bl_sarif_physical_location(l->inf, l->line));
    bl_sb msg = {0};
    bl_sb_addf(&msg, "%s: %s", l->directive, l->what ? l->what : "");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "message"), "text", bl_sb_str(&msg));
    bl_sb_free(&msg);
    return o;
}

/* What only the lint knows, added to each result: the related INF lines,
 * the INF edit of the first fix, the severity the baseline had. */
static void lint_extend(void *ctx, const bl_finding *f, cJSON *result)
{
    const bl_lint_result *res = ctx;
    const bl_lint_item *it = &res->items[f - res->findings.v];
    if (it->nrelated) {
        cJSON *rel = cJSON_AddArrayToObject(result, "relatedLocations");
        for (uint32_t k = 0; k < it->nrelated; k++)
            cJSON_AddItemToArray(rel, sarif_related(&it->related[k], k + 1));
    }
    cJSON *msg = cJSON_GetObjectItem(result, "message");
    const char *fix = it->inf_fixes && f->nfixes ? it->inf_fixes[0] : NULL;
    if (fix && cJSON_IsString(cJSON_GetObjectItem(msg, "text"))) {
        bl_sb text = {0};
        bl_sb_addf(&text, "%s. In the INF: %s", cJSON_GetObjectItem(msg, "text")->valuestring, fix);
        cJSON_ReplaceItemInObject(msg, "text", cJSON_CreateString(bl_sb_str(&text)));
        bl_sb_free(&text);
    }
    cJSON *props = cJSON_GetObjectItem(result, "properties");
    if (props && it->more_severe)
        cJSON_AddStringToObject(props, "baselineSeverity", bl_severity_name(it->was));
}

void bl_report_lint_sarif(FILE *out, const bl_lint_report *r)
{
    bl_report_sarif(out, &r->result->findings, lint_location, lint_extend, (void *)r->result);
}
