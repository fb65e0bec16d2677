/* fuzz_apply.c — libFuzzer target for the INF what-if: the input is parsed
 * as an INF, applied (once, or twice to reach the paths where services and
 * values already exist) to the built-in baseline for two targets, linted
 * with and without the fix search, and rendered in all three formats; the
 * same bytes are also read as a regedit-style baseline.  Any crash,
 * sanitizer report or leak is a bug; every refusal must name FILE:LINE. */
#include "bootlens/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bl_knowledge *knowledge;
static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lint_once(const bl_inf *inf, size_t size)
{
    bl_error err;
    /* A fresh baseline each time: the string pool of a model only grows. */
    bl_model *baseline = bl_model_new(NULL);
    if (bl_model_load_builtin_baseline(baseline, &err) != 0)
        abort();
    const bl_inf *infs[2] = {inf, inf};
    bl_lint_options opt;
    memset(&opt, 0, sizeof opt);
    bl_inf_target_init(&opt.target);
    if (size & 2) {
        opt.target.arch = BL_INF_ARCH_X86;
        opt.target.major = 6;
        opt.target.minor = 1;
        opt.target.build = 7601;
    }
    opt.knowledge = knowledge;
    opt.no_fixes = (size & 1) == 0;
    uint32_t n = size & 4 ? 2 : 1;
    bl_lint_result r;
    if (bl_lint_run(baseline, infs, n, &opt, &r, &err) == 0) {
        bl_lint_report rep = {&r, NULL, infs, n, &opt.target, NULL};
        bl_text_options to = {true, false, 0};
        bl_report_lint_text(sink, &rep, &to);
        bl_report_lint_json(sink, &rep);
        bl_report_lint_sarif(sink, &rep, bl_lint_fails(&r, BL_SEV_ERROR) ? 1 : 0);
        bl_lint_result_free(&r);
    } else if (strncmp(err.msg, "fuzz.inf:", 9) != 0) {
        abort();
    }
    bl_model_free(baseline);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bl_error err;
    if (!knowledge) {
        knowledge = bl_knowledge_new();
        sink = fopen("/dev/null", "w");
        if (bl_knowledge_add_builtin(knowledge, &err) != 0 || !sink)
            abort();
    }
    bl_inf_options io;
    bl_inf_options_init(&io);
    bl_inf *inf = bl_inf_parse_mem("fuzz.inf", data, size, &io, &err);
    if (inf) {
        lint_once(inf, size);
        bl_inf_free(inf);
    }
    bl_model *m = bl_model_new(NULL);
    if (bl_model_load_regtext(m, "fuzz.reg", (const char *)data, size, NULL, NULL, &err) != 0 &&
        strncmp(err.msg, "fuzz.reg", 8) != 0)
        abort();
    bl_model_free(m);
    return 0;
}
