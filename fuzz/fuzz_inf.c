/* fuzz_inf.c — libFuzzer target for the INF parser: parses the input from
 * memory, then drives what the apply step does with a parsed INF (models
 * and install-section selection, numeric fields, DIRID paths, lookups) so
 * that every pointer the parser hands out gets read.  Any crash, sanitizer
 * report or leak is a bug; parse failures are expected and fine. */
#include "bootlens/inf.h"

#include <stdlib.h>
#include <string.h>

static void exercise_line(const bl_inf *inf, const bl_inf_line *l, const bl_inf_target *t)
{
    bl_sb sb = {0};
    bl_error err;
    if (l->key)
        (void)bl_inf_string(inf, l->key);
    for (uint32_t v = 0; v < l->nvalues; v++) {
        const char *text = l->values[v].text;
        uint32_t n;
        (void)bl_inf_value_u32(inf, l, v, &n, &err);
        bl_sb_reset(&sb);
        (void)bl_inf_expand_dirids(text, &sb);
        bl_sb_reset(&sb);
        (void)bl_inf_image_path(text, v, v & 1 ? "pkg.inf_amd64_*" : NULL, &sb);
        bl_inf_decoration d;
        if (bl_inf_parse_decoration(text, strlen(text), &d) == 0)
            (void)bl_inf_decoration_applies(&d, t, v & 1);
        (void)bl_inf_find_section(inf, text);
    }
    /* On a models line the first value names an install section; ask for
     * it the way the apply step does, with and without a suffix. */
    const char *install = bl_inf_value_at(l, 0);
    if (install) {
        (void)bl_inf_select_section(inf, install, NULL, t);
        (void)bl_inf_select_section(inf, install, "Services", t);
    }
    bl_sb_free(&sb);
}

static void exercise(const bl_inf *inf, const bl_inf_target *t)
{
    for (uint32_t s = 0; s < bl_inf_section_count(inf); s++) {
        const bl_inf_section *sec = bl_inf_section_at(inf, s);
        (void)bl_inf_select_section(inf, sec->name, NULL, t);
        for (uint32_t i = 0; i < sec->nlines; i++)
            exercise_line(inf, &sec->lines[i], t);
    }
    const bl_inf_section *mfg = bl_inf_find_section(inf, "Manufacturer");
    for (uint32_t i = 0; mfg && i < mfg->nlines; i++) {
        const bl_inf_section *models;
        bl_sb name = {0};
        bl_error err;
        (void)bl_inf_select_models(inf, &mfg->lines[i], t, &models, &name, &err);
        bl_sb_free(&name);
    }
    for (uint32_t i = 0; i < bl_inf_ref_count(inf); i++)
        (void)strlen(bl_inf_ref_at(inf, i)->name);
    for (uint32_t i = 0; i < bl_inf_diag_count(inf); i++)
        (void)strlen(bl_inf_diag_at(inf, i)->message);
    const bl_inf_version_info *v = bl_inf_version(inf);
    if (v->class_guid)
        (void)strlen(v->class_guid);
    bl_sb ds = {0};
    bl_inf_driver_store_dir(inf, t, &ds);
    bl_sb_free(&ds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bl_inf_options opt;
    bl_inf_options_init(&opt);
    /* Vary the language so localized [Strings.xxxx] selection is reached
     * without spending input bytes on it. */
    if (size & 1)
        opt.langid = 0x0407;
    bl_error err;
    bl_inf *inf = bl_inf_parse_mem("fuzz.inf", data, size, &opt, &err);
    if (!inf)
        return 0;
    bl_inf_target t;
    bl_inf_target_init(&t);
    exercise(inf, &t);
    t.arch = BL_INF_ARCH_X86;
    t.major = 6;
    t.minor = 1;
    exercise(inf, &t);
    bl_inf_free(inf);
    return 0;
}
