/* fuzz_suppressions.c — libFuzzer target for the suppressions-file parser
 * (lint --suppressions FILE): arbitrary text must parse or fail with
 * FILE:LINE, never crash or leak; whatever parses can be matched against a
 * finding. */
#include "bootlens/inf.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bl_suppressions s = {0};
    bl_error err = {{0}};
    if (bl_suppressions_parse(&s, "fuzz.txt", (const char *)data, size, &err) != 0) {
        if (strncmp(err.msg, "fuzz.txt", 8) != 0)
            abort(); /* every error names the file */
    } else {
        bl_findings fs = {0};
        bl_finding *f = bl_finding_add(&fs, "filter-delays-device", BL_SEV_ERROR, "x:class:{g}", "m");
        bl_finding_service(f, "x");
        bl_lint_location rel = {"b/y.inf", 7, "AddReg", "w"};
        bl_lint_item it = {{"a/x.inf", 3, "AddReg", "w"}, &rel, 1, false, BL_SEV_INFO, NULL, NULL, 0};
        for (uint32_t i = 0; i < s.n; i++) {
            bl_suppression_covers(&s.v[i], f, &it, "dir/base.hiv");
            bl_suppression_covers(&s.v[i], f, &it, NULL);
        }
        bl_findings_free(&fs);
    }
    bl_suppressions_free(&s);
    return 0;
}
