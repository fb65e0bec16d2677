/* sarif.c — SARIF 2.1.0 output for CI systems (GitHub code scanning and
 * others), valid against the OASIS schema and Microsoft's validator
 * (tests/sarif-validate.sh checks both).  Each finding becomes a result with
 * its rule id, level, a fingerprint that survives line moves and the
 * registry keys of its evidence as logical locations; the caller says where
 * a finding points (an INF file and line for lint, the hive for analyze).
 * The rules carry the help of ruledoc.c; one invocation records whether the
 * run succeeded and what it has to say about its inputs. */
#include "bootlens/report.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char *sarif_level(bl_severity s)
{
    return s == BL_SEV_ERROR ? "error" : s == BL_SEV_WARNING ? "warning" : "note";
}

/* A file path as a SARIF artifact URI (RFC 3986 path): relative paths stay
 * relative (CI annotations resolve them against the checkout), '\' becomes
 * '/', and every byte outside the unreserved and path characters is
 * percent-encoded. */
static void path_uri(const char *path, bl_sb *sb)
{
    /* A ':' in the first segment of a relative reference would make it a
     * scheme ("case.E01#p3:/Windows/..." → "case.E01%23p3:/..." reads as
     * the scheme "case.E01%23p3"): encoded there. */
    bool first_segment = path[0] != '/' && path[0] != '\\';
    for (const char *p = path; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '/' || ch == '\\')
            first_segment = false;
        if (ch == '\\')
            bl_sb_addc(sb, '/');
        else if (ch == ':' && first_segment)
            bl_sb_add(sb, "%3A");
        else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 strchr("-._~/!$&'()*+,;=:@", ch))
            bl_sb_addc(sb, (char)ch);
        else
            bl_sb_addf(sb, "%%%02X", ch);
    }
}

cJSON *bl_sarif_physical_location(const char *path, uint32_t line)
{
    cJSON *phys = cJSON_CreateObject();
    bl_sb uri = {0};
    path_uri(path, &uri);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(phys, "artifactLocation"), "uri", bl_sb_str(&uri));
    bl_sb_free(&uri);
    if (line)
        cJSON_AddNumberToObject(cJSON_AddObjectToObject(phys, "region"), "startLine", line);
    return phys;
}

cJSON *bl_sarif_suppression(bool in_source, const char *justification, const char *path, uint32_t line)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "kind", in_source ? "inSource" : "external");
    cJSON_AddStringToObject(s, "status", "accepted");
    if (justification && *justification)
        cJSON_AddStringToObject(s, "justification", justification);
    if (path) {
        cJSON *loc = cJSON_AddObjectToObject(s, "location");
        cJSON_AddItemToObject(loc, "physicalLocation", bl_sarif_physical_location(path, line));
    }
    return s;
}

/* FNV-1a, 64 bits, over the parts with a NUL after each: a stable,
 * dependency-free digest (fingerprints need stability, not secrecy). */
static void fingerprint(const char *const *parts, size_t n, bl_sb *out)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) {
            h ^= *p;
            h *= 1099511628211ull;
        }
        h *= 1099511628211ull; /* the NUL: "ab","c" and "a","bc" differ */
    }
    bl_sb_addf(out, "%016llx", (unsigned long long)h);
}

static cJSON *message(const char *text)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "text", text);
    return m;
}

static cJSON *rule_descriptor(const bl_rule_info *info)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "id", info->id);
    bl_sb sb = {0};
    bl_rule_friendly_name(info->id, &sb);
    cJSON_AddStringToObject(r, "name", bl_sb_str(&sb));
    bl_sb_reset(&sb);
    cJSON_AddItemToObject(r, "shortDescription", message(info->summary));
    const bl_rule_doc *d = bl_rule_doc_find(info->id);
    /* The catalogue and the docs are checked against each other by the
     * unit tests; a rule without docs still gets a valid descriptor. */
    cJSON_AddItemToObject(r, "fullDescription", message(d ? d->what : info->summary));
    if (d) {
        cJSON *help = cJSON_AddObjectToObject(r, "help");
        bl_rule_help(d, false, &sb);
        cJSON_AddStringToObject(help, "text", bl_sb_str(&sb));
        bl_sb_reset(&sb);
        bl_rule_help(d, true, &sb);
        cJSON_AddStringToObject(help, "markdown", bl_sb_str(&sb));
    }
    bl_sb_free(&sb);
    cJSON *props = cJSON_AddObjectToObject(r, "properties");
    cJSON *tags = cJSON_AddArrayToObject(props, "tags");
    cJSON_AddItemToArray(tags, cJSON_CreateString("boot"));
    cJSON_AddItemToArray(tags, cJSON_CreateString(d && d->security_severity ? "security" : "reliability"));
    if (d) {
        cJSON_AddStringToObject(props, "precision", d->precision);
        if (d->security_severity)
            cJSON_AddStringToObject(props, "security-severity", d->security_severity);
    }
    return r;
}

/* The evidence's registry keys, each once (SARIF requires the items of
 * logicalLocations to be unique; the values are in properties.finding). */
static void logical_locations(cJSON *loc, const bl_finding *x)
{
    cJSON *logical = NULL;
    uint32_t added = 0;
    for (uint32_t k = 0; k < x->nevidence && added < 10; k++) {
        bool seen = false;
        for (uint32_t j = 0; j < k && !seen; j++)
            seen = bl_fold_eq(x->evidence[j].path, x->evidence[k].path);
        /* Evidence can be a file too (the hive, a transaction log): not a key. */
        if (seen || x->evidence[k].file)
            continue;
        if (!logical)
            logical = cJSON_AddArrayToObject(loc, "logicalLocations");
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "fullyQualifiedName", x->evidence[k].path);
        cJSON_AddStringToObject(l, "kind", "registryKey");
        cJSON_AddItemToArray(logical, l);
        added++;
    }
}

static cJSON *result_json(const bl_sarif_run *run, const bl_finding *x, const bl_rule_info *cat,
                          uint32_t nrules)
{
    cJSON *res = cJSON_CreateObject();
    cJSON_AddStringToObject(res, "ruleId", x->rule);
    for (uint32_t k = 0; k < nrules; k++)
        if (strcmp(cat[k].id, x->rule) == 0)
            cJSON_AddNumberToObject(res, "ruleIndex", k);
    cJSON_AddStringToObject(res, "level", sarif_level(x->severity));
    bl_sb msg = {0};
    bl_sb_add(&msg, x->message);
    if (x->nfixes)
        bl_sb_addf(&msg, ". Fix (re-simulated): %s", x->fixes[0].summary);
    cJSON_AddItemToObject(res, "message", message(bl_sb_str(&msg)));
    bl_sb_free(&msg);
    cJSON *loc = cJSON_CreateObject();
    bl_sarif_location where = {NULL, 0, 0};
    if (run->locate && run->locate(run->ctx, x, &where) && where.uri) {
        cJSON *phys = bl_sarif_physical_location(where.uri, where.line);
        if (!where.line && where.file_size) {
            cJSON *region = cJSON_AddObjectToObject(phys, "region");
            cJSON_AddNumberToObject(region, "byteOffset", 0);
            cJSON_AddNumberToObject(region, "byteLength", (double)where.file_size);
        }
        cJSON_AddItemToObject(loc, "physicalLocation", phys);
    }
    logical_locations(loc, x);
    if (loc->child)
        cJSON_AddItemToArray(cJSON_AddArrayToObject(res, "locations"), loc);
    else
        cJSON_Delete(loc);
    bl_sb fp = {0};
    const char *parts[] = {x->subject, where.uri ? where.uri : ""};
    fingerprint(parts, BL_ARRAY_LEN(parts), &fp);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(res, "partialFingerprints"), "bootlensFinding/v2",
                            bl_sb_str(&fp));
    bl_sb_free(&fp);
    cJSON *props = cJSON_AddObjectToObject(res, "properties");
    cJSON_AddItemToObject(props, "finding", bl_json_finding(x));
    if (run->extend)
        run->extend(run->ctx, x, res);
    return res;
}

bl_sarif_notice bl_sarif_notice_for_error(const char *msg, const char *const *paths, uint32_t n)
{
    bl_sarif_notice out = {BL_SEV_ERROR, msg, NULL, 0};
    size_t best = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = paths[i] ? strlen(paths[i]) : 0;
        if (!len || len <= best || strncmp(msg, paths[i], len) != 0 || msg[len] != ':')
            continue;
        best = len;
        out.uri = paths[i];
        out.line = 0;
        const char *p = msg + len + 1;
        char *end;
        unsigned long line = strtoul(p, &end, 10);
        if (end != p && *end == ':' && *p >= '0' && *p <= '9' && line <= UINT32_MAX)
            out.line = (uint32_t)line;
    }
    return out;
}

static cJSON *notice_json(const bl_sarif_notice *n)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "level", sarif_level(n->level));
    cJSON_AddItemToObject(o, "message", message(n->message));
    if (n->uri) {
        cJSON *loc = cJSON_CreateObject();
        cJSON_AddItemToObject(loc, "physicalLocation", bl_sarif_physical_location(n->uri, n->line));
        cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "locations"), loc);
    }
    return o;
}

void bl_report_sarif(FILE *out, const bl_sarif_run *run)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    cJSON_AddStringToObject(root, "version", "2.1.0");
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "runs"), r);
    cJSON *driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(r, "tool"), "driver");
    cJSON_AddStringToObject(driver, "name", "bootlens");
    cJSON_AddStringToObject(driver, "version", bl_version());
    cJSON_AddStringToObject(driver, "semanticVersion", bl_version());
    cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
    uint32_t nrules;
    const bl_rule_info *cat = bl_rule_catalogue(&nrules);
    for (uint32_t i = 0; i < nrules; i++)
        cJSON_AddItemToArray(rules, rule_descriptor(&cat[i]));
    cJSON *inv = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "invocations"), inv);
    cJSON_AddBoolToObject(inv, "executionSuccessful", !run->failed);
    cJSON_AddNumberToObject(inv, "exitCode", run->exit_code);
    if (run->nnotices) {
        cJSON *notes = cJSON_AddArrayToObject(inv, "toolExecutionNotifications");
        for (uint32_t i = 0; i < run->nnotices; i++)
            cJSON_AddItemToArray(notes, notice_json(&run->notices[i]));
    }
    cJSON *results = cJSON_AddArrayToObject(r, "results");
    for (uint32_t i = 0; run->findings && i < run->findings->n; i++)
        cJSON_AddItemToArray(results, result_json(run, &run->findings->v[i], cat, nrules));
    bl_json_print(out, root, false);
}

static bool hive_location(void *ctx, const bl_finding *f, bl_sarif_location *loc)
{
    const bl_hive_info *h = ctx;
    (void)f;
    loc->uri = h->path;
    loc->line = 0;
    loc->file_size = h->file_size;
    return true;
}

void bl_report_analyze_sarif(FILE *out, const bl_analysis *a, int exit_code)
{
    bl_sarif_run run = {a->findings, a->hive ? hive_location : NULL, NULL, (void *)a->hive, NULL, 0, false,
                        exit_code};
    bl_report_sarif(out, &run);
}
