/* fuzz_hive.c — libFuzzer target for the whole hive path: base block checks,
 * the direct cell reader, the model loader, the boot simulation, every rule
 * with its fix search, and the JSON report.  Any input must end in a clean
 * refusal or a (possibly partial) analysis: never a crash, a leak, a hang or
 * an out-of-bounds read. */
#include "bootlens/hive.h"
#include "bootlens/model.h"
#include "bootlens/report.h"
#include "bootlens/rules.h"
#include "bootlens/sim.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bl_knowledge *knowledge;
    if (!knowledge) {
        bl_error kerr = {{0}};
        knowledge = bl_knowledge_new();
        if (bl_knowledge_add_builtin(knowledge, &kerr) != 0)
            abort();
    }
    bl_hive *h = NULL;
    bl_error err = {{0}};
    if (bl_hive_open_memory(data, size, "fuzz.hiv", &h, &err) != 0)
        return 0;
    bl_model *m = bl_model_new(NULL);
    if (bl_model_load(m, h, NULL, &err) == 0) {
        bl_timeline *t = bl_simulate(m, NULL);
        bl_findings f = {0};
        bl_rules_options ro = {knowledge, bl_hive_get_info(h), NULL, false, NULL, 0, 0};
        bl_rules_run(m, t, &ro, &f);
        bl_analysis a = {.hive = bl_hive_get_info(h), .model = m, .timeline = t, .findings = &f};
        free(bl_json_to_string(bl_json_analysis(&a), true));
        bl_findings_free(&f);
        bl_timeline_free(t);
    }
    bl_model_free(m);
    bl_hive_close(h);
    return 0;
}
