/* sarif.c — SARIF 2.1.0 output for CI systems (GitHub code scanning and
 * others).  Each finding becomes a result with its rule id and level; the
 * caller says where a finding points (an INF file and line for lint, the
 * hive for analyze); the registry paths of the evidence become logical
 * locations and the verified fixes travel in the message and properties. */
#include "bootlens/report.h"

#include <cjson/cJSON.h>
#include <string.h>

#ifndef BOOTLENS_VERSION
#define BOOTLENS_VERSION "0.1.0"
#endif

static const char *sarif_level(bl_severity s)
{
    return s == BL_SEV_ERROR ? "error" : s == BL_SEV_WARNING ? "warning" : "note";
}

/* A file path as a SARIF artifact URI: relative paths stay relative (CI
 * annotations resolve them against the checkout), spaces and '%' escaped. */
static void path_uri(const char *path, bl_sb *sb)
{
    for (const char *p = path; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == ' ' || ch == '%' || ch == '#' || ch == '?' || ch < 0x20)
            bl_sb_addf(sb, "%%%02X", ch);
        else if (ch == '\\')
            bl_sb_addc(sb, '/');
        else
            bl_sb_addc(sb, (char)ch);
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

void bl_report_sarif(FILE *out, const bl_findings *f, bl_sarif_locate_fn locate, bl_sarif_extend_fn extend,
                     void *ctx)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    cJSON_AddStringToObject(root, "version", "2.1.0");
    cJSON *runs = cJSON_AddArrayToObject(root, "runs");
    cJSON *run = cJSON_CreateObject();
    cJSON_AddItemToArray(runs, run);
    cJSON *driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
    cJSON_AddStringToObject(driver, "name", "bootlens");
    cJSON_AddStringToObject(driver, "version", BOOTLENS_VERSION);
    cJSON_AddStringToObject(driver, "informationUri", "https://example.invalid/bootlens");
    cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
    uint32_t nrules;
    const bl_rule_info *cat = bl_rule_catalogue(&nrules);
    for (uint32_t i = 0; i < nrules; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "id", cat[i].id);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "shortDescription"), "text", cat[i].summary);
        cJSON_AddItemToArray(rules, r);
    }
    cJSON *results = cJSON_AddArrayToObject(run, "results");
    for (uint32_t i = 0; f && i < f->n; i++) {
        const bl_finding *x = &f->v[i];
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
        cJSON_AddStringToObject(cJSON_AddObjectToObject(res, "message"), "text", bl_sb_str(&msg));
        bl_sb_free(&msg);
        cJSON *locs = cJSON_AddArrayToObject(res, "locations");
        cJSON *loc = cJSON_CreateObject();
        cJSON_AddItemToArray(locs, loc);
        bl_sarif_location where = {NULL, 0};
        if (locate && locate(ctx, x, &where) && where.uri)
            cJSON_AddItemToObject(loc, "physicalLocation", bl_sarif_physical_location(where.uri, where.line));
        cJSON *logical = cJSON_AddArrayToObject(loc, "logicalLocations");
        for (uint32_t k = 0; k < x->nevidence && k < 10; k++) {
            cJSON *l = cJSON_CreateObject();
            cJSON_AddStringToObject(l, "fullyQualifiedName", x->evidence[k].path);
            cJSON_AddStringToObject(l, "kind", "registryKey");
            cJSON_AddItemToArray(logical, l);
        }
        cJSON_AddStringToObject(cJSON_AddObjectToObject(res, "partialFingerprints"), "bootlensFinding/v1",
                                x->subject);
        cJSON *props = cJSON_AddObjectToObject(res, "properties");
        cJSON_AddItemToObject(props, "finding", bl_json_finding(x));
        if (extend)
            extend(ctx, x, res);
        cJSON_AddItemToArray(results, res);
    }
    bl_json_print(out, root, false);
}

static bool hive_location(void *ctx, const bl_finding *f, bl_sarif_location *loc)
{
    (void)f;
    loc->uri = ctx;
    loc->line = 0;
    return true;
}

void bl_report_analyze_sarif(FILE *out, const bl_analysis *a)
{
    bl_report_sarif(out, a->findings, hive_location, NULL, a->hive ? (void *)a->hive->path : NULL);
}
