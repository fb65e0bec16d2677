/* text.c — human-readable output: the `order` table (Sysinternals LoadOrder
 * style) and the `analyze` report, which puts the answer first (what is
 * wrong, what breaks, the verified fix) and details after, in one screen. */
#include "bootlens/report.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

static const char *phase_short(uint8_t p)
{
    return bl_phase_name(p);
}

void bl_report_order_text(FILE *out, const bl_analysis *a, bl_phase_filter filter)
{
    const bl_model *m = a->model;
    const bl_timeline *t = a->timeline;
    /* Column widths from the data, capped so one long name does not push
     * the table off the screen. */
    int wg = 5, ws = 7;
    for (uint32_t i = 0; i < t->nloads; i++) {
        const bl_service *s = &m->services[t->loads[i].service];
        int g = (int)strlen(bl_model_str(m, s->group)), n = (int)strlen(bl_model_str(m, s->name));
        if (g > wg)
            wg = g < 32 ? g : 32;
        if (n > ws)
            ws = n < 28 ? n : 28;
    }
    fprintf(out, "%5s  %-12s %-*s %5s  %-*s %-8s %-13s %s\n", "#", "PHASE", wg + 1, "GROUP", "TAG", ws,
            "SERVICE", "START", "TYPE", "IMAGE");
    bl_sb tag = {0}, img = {0}, phase = {0}, group = {0};
    uint32_t shown = 0;
    for (uint32_t i = 0; i < t->nloads; i++) {
        const bl_load *l = &t->loads[i];
        bool show = filter == BL_SHOW_ALL ||
                    (filter == BL_SHOW_BOOT && l->phase == BL_PHASE_BOOT) ||
                    (filter == BL_SHOW_SYSTEM &&
                     (l->phase == BL_PHASE_SYSTEM || l->phase == BL_PHASE_PNP)) ||
                    (filter == BL_SHOW_AUTO &&
                     (l->phase == BL_PHASE_AUTO || l->phase == BL_PHASE_DELAYED));
        if (!show)
            continue;
        const bl_service *s = &m->services[l->service];
        bl_sb_reset(&tag);
        bl_sb_reset(&img);
        bl_sb_reset(&phase);
        bl_tag_text(s, l->tag_index, &tag);
        bl_service_image(m, l->service, &img);
        bl_sb_add(&phase, phase_short(l->phase));
        if (l->why & BL_WHY_BOOTFLAGS)
            bl_sb_add(&phase, "+flags");
        else if (l->why & BL_WHY_BOOT_FS)
            bl_sb_add(&phase, "+fs");
        else if (l->why & BL_WHY_DEPENDENCY)
            bl_sb_add(&phase, "+dep");
        if (l->why & BL_WHY_PULLED)
            bl_sb_add(&phase, "+pull");
        else if (l->phase == BL_PHASE_BOOT && l->origin == BL_LIST_CORE)
            bl_sb_add(&phase, "+core");
        else if (l->phase == BL_PHASE_BOOT && l->origin == BL_LIST_ELAM)
            bl_sb_add(&phase, "+elam");
        else if (l->phase == BL_PHASE_BOOT && l->origin == BL_LIST_CORE_EXTENSION)
            bl_sb_add(&phase, "+coreext");
        else if (l->phase == BL_PHASE_BOOT && l->origin == BL_LIST_TPM_CORE)
            bl_sb_add(&phase, "+tpm");
        bl_sb_reset(&group);
        bl_sb_add(&group, bl_model_str(m, s->group));
        if (s->group && l->group_rank == BL_NONE)
            bl_sb_addc(&group, '*');
        fprintf(out, "%5u  %-12s %-*s %5s  %-*s %-8s %-13s %s%s\n", l->position, bl_sb_str(&phase), wg + 1,
                bl_sb_str(&group), bl_sb_str(&tag), ws, bl_model_str(m, s->name), bl_start_name(s->start),
                bl_type_name(s), bl_sb_str(&img), s->image_path ? "" : " (default)");
        shown++;
    }
    bl_sb_free(&tag);
    bl_sb_free(&img);
    bl_sb_free(&phase);
    bl_sb_free(&group);
    fprintf(out, "\n%u drivers and services. Group* = not in ServiceGroupOrder (loads after all listed groups); "
                 "tag* = not in the group's GroupOrderList.\n",
            shown);
    fprintf(out, "Phases: boot = loader (Start 0, +flags = BootFlags promotion, +fs = boot file system, +pull = "
                 "initialized early by PnP for a device, +core/+elam/+coreext/+tpm = the lists Windows 8+ "
                 "initializes first); pnp = loaded for a device; system = Start 1; auto = SCM (+dep = started "
                 "as a dependency).\n");
}

/* Display width of s[0..n): code points (terminals show the names bootlens
 * prints one column each). */
static size_t columns(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

void bl_recovery_text(const bl_recovery *r, bl_sb *sb)
{
    if (strcmp(r->format, "new") == 0)
        bl_sb_addf(sb, "%u new-format log entr%s (%u page%s) from %u log%s", r->entries,
                   r->entries == 1 ? "y" : "ies", r->pages, r->pages == 1 ? "" : "s", r->logs_applied,
                   r->logs_applied == 1 ? "" : "s");
    else /* an old-format log is one dirty vector: its pages are what counts */
        bl_sb_addf(sb, "%u page%s from %u old-format log%s", r->pages, r->pages == 1 ? "" : "s",
                   r->logs_applied, r->logs_applied == 1 ? "" : "s");
}

void bl_print_wrapped(FILE *out, const char *text, size_t col, const char *indent, unsigned width)
{
    size_t ind = columns(indent, strlen(indent));
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        const char *end = nl ? nl : p + strlen(p);
        /* A line's own leading blanks (a nested list) are kept, and its
         * wrapped lines line up under its first word. */
        size_t lead = strspn(p, " ");
        if (p + lead > end)
            lead = (size_t)(end - p);
        fprintf(out, "%*s", (int)lead, "");
        size_t at = col + lead;
        bool first = true;
        for (const char *w = p + lead; w < end;) {
            while (w < end && *w == ' ')
                w++;
            if (w >= end)
                break;
            const char *we = w;
            while (we < end && *we != ' ')
                we++;
            size_t len = columns(w, (size_t)(we - w));
            /* A word longer than the line (a registry path, a device id)
             * stays whole: it must remain copyable. */
            if (!first && width && at + 1 + len > width) {
                fprintf(out, "\n%s%*s", indent, (int)lead, "");
                at = ind + lead;
            } else if (!first) {
                fputc(' ', out);
                at++;
            }
            fwrite(w, 1, (size_t)(we - w), out);
            at += len;
            first = false;
            w = we;
        }
        fputc('\n', out);
        if (!nl)
            break;
        p = nl + 1;
        if (*p)
            fputs(indent, out);
        col = ind;
    }
    if (!*text)
        fputc('\n', out);
}

void bl_print_indented(FILE *out, const char *text, const char *indent)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(out, "%s%.*s\n", indent, (int)n, p);
        if (!nl)
            break;
        p = nl + 1;
    }
}

FILE *bl_memstream(char **buf, size_t *len)
{
    FILE *f = open_memstream(buf, len);
    if (!f)
        bl_die("out of memory");
    return f;
}

void bl_filetime_text(uint64_t filetime, bl_sb *sb)
{
    char iso[24];
    if (bl_filetime_iso(filetime, iso))
        bl_sb_add(sb, iso);
    else
        bl_sb_addf(sb, "(FILETIME %llu)", (unsigned long long)filetime);
}

const char *bl_severity_label(bl_severity s, bool color)
{
    if (!color)
        return s == BL_SEV_ERROR ? "ERROR" : s == BL_SEV_WARNING ? "WARNING" : "info";
    return s == BL_SEV_ERROR ? "\033[1;31mERROR\033[0m"
           : s == BL_SEV_WARNING ? "\033[1;33mWARNING\033[0m"
                                 : "\033[36minfo\033[0m";
}

/* Prose wrapped to the terminal; registry paths, evidence and .reg lines
 * are printed as they are, so they can be copied (a .reg line must stay
 * importable). */
static void wrapped(FILE *out, const bl_text_options *o, const char *first, const char *indent, const char *fmt, ...)
    BL_PRINTF(5, 6);
static void wrapped(FILE *out, const bl_text_options *o, const char *first, const char *indent, const char *fmt, ...)
{
    bl_sb sb = {0};
    va_list ap;
    va_start(ap, fmt);
    bl_sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    fputs(first, out);
    bl_print_wrapped(out, bl_sb_str(&sb), strlen(first), indent, o->width);
    bl_sb_free(&sb);
}

static void print_finding(FILE *out, const bl_finding *f, const bl_text_options *o, bool full)
{
    /* The label's colour codes take no columns. */
    const char *label = bl_severity_label(f->severity, o->color);
    fputs(label, out);
    bl_sb head = {0};
    bl_sb_addf(&head, "[%s] %s", f->rule, f->message);
    fputc(' ', out);
    bl_print_wrapped(out, bl_sb_str(&head), strlen(bl_severity_label(f->severity, false)) + 1, "    ", o->width);
    bl_sb_free(&head);
    if (!full)
        return;
    if (f->detail)
        for (const char *p = f->detail; *p;) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            wrapped(out, o, "    ", "      ", "%.*s", (int)n, p);
            p += n + (nl ? 1 : 0);
        }
    for (uint32_t i = 0; i < f->nfixes; i++) {
        const bl_fix *x = &f->fixes[i];
        wrapped(out, o, "  ", "    ", "Fix %u%s: %s", i + 1, x->verification ? " (re-simulated)" : "", x->summary);
        if (x->verification)
            wrapped(out, o, "    ", "    ", "%s", x->verification);
        bl_sb reg = {0};
        bl_changes_to_reg(x->changes, x->nchanges, &reg);
        bl_print_indented(out, bl_sb_str(&reg), "      | ");
        bl_sb_free(&reg);
    }
    if (f->nevidence) {
        fprintf(out, "  Evidence:\n");
        for (uint32_t i = 0; i < f->nevidence; i++) {
            char when[24];
            bool known = bl_filetime_iso(f->evidence[i].last_written, when);
            /* The key's time once per key (a key often gives several values). */
            for (uint32_t k = 0; known && k < i; k++)
                known = strcmp(f->evidence[k].path, f->evidence[i].path) != 0;
            fprintf(out, "    %s%s%s%s%s%s\n", f->evidence[i].path, f->evidence[i].value ? "  " : "",
                    f->evidence[i].value ? f->evidence[i].value : "", known ? "  (key written " : "",
                    known ? when : "", known ? ")" : "");
        }
    }
}

void bl_report_analyze_text(FILE *out, const bl_analysis *a, const bl_text_options *o)
{
    const bl_model *m = a->model;
    const bl_timeline *t = a->timeline;
    const bl_hive_info *hi = a->hive;
    bl_sb scen = {0};
    bl_boot_scenario_names(t->boot_flags, &scen);
    fprintf(out, "bootlens: %s, %s, boot scenario %s\n", hi ? hi->path : "(model)",
            bl_model_str(m, m->control_set_name), bl_sb_str(&scen));
    bl_sb_free(&scen);
    bl_report_evidence_text(out, a);
    if (hi) {
        if (hi->recovered) {
            bl_sb what = {0};
            bl_recovery_text(&hi->recovery, &what);
            fprintf(out, "Hive was dirty: replayed %s (final sequence %u); analyzed the recovered image.\n",
                    bl_sb_str(&what), hi->recovery.final_seq);
            bl_sb_free(&what);
        } else if (hi->dirty)
            fprintf(out, "Hive is DIRTY and was analyzed as it is on disk: recent changes may be missing.\n");
        /* What the replay could not do (missing entries, logs ignored) is
         * part of the answer, not a JSON-only detail. */
        for (uint32_t i = 0; i < hi->recovery.nnotes; i++)
            fprintf(out, "Note: %s\n", hi->recovery.notes[i]);
        if (hi->nproblems)
            fprintf(out, "Partial analysis: %u part%s of the hive could not be read (listed at the end).\n",
                    hi->nproblems, hi->nproblems == 1 ? "" : "s");
    }
    uint32_t counts[3] = {0, 0, 0};
    if (a->findings)
        bl_findings_count(a->findings, counts);
    fprintf(out, "\n%u error%s, %u warning%s, %u info\n", counts[2], counts[2] == 1 ? "" : "s", counts[1],
            counts[1] == 1 ? "" : "s", counts[0]);
    if (a->findings && a->findings->fix_unsearched)
        fprintf(out, "Fix search budget reached after %u re-simulations: %u finding%s shown without a verified "
                     "fix (they may have one).\n",
                a->findings->fix_resimulations, a->findings->fix_unsearched,
                a->findings->fix_unsearched == 1 ? " is" : "s are");
    if (t->approx)
        fprintf(out, "Approximate: %s%s%s.\n",
                (t->approx & BL_APPROX_TIE_ORDER) ? "a load-order group too long for the loader's tie walk had its "
                                                     "ties sorted stably"
                                                   : "",
                (t->approx & BL_APPROX_TIE_ORDER) && (t->approx & BL_APPROX_STACKS) ? "; " : "",
                (t->approx & BL_APPROX_STACKS) ? "filter lists too long to simulate whole were cut" : "");

    /* The answer: errors and warnings in full. */
    for (uint32_t i = 0; a->findings && i < a->findings->n; i++) {
        const bl_finding *f = &a->findings->v[i];
        if (f->severity == BL_SEV_INFO && !o->verbose)
            continue;
        fputc('\n', out);
        print_finding(out, f, o, true);
    }
    if (counts[0] && !o->verbose) {
        fprintf(out, "\nInfo (--verbose for details):\n");
        for (uint32_t i = 0; i < a->findings->n; i++)
            if (a->findings->v[i].severity == BL_SEV_INFO)
                wrapped(out, o, "  ", "    ", "[%s] %s", a->findings->v[i].rule, a->findings->v[i].message);
    }

    uint32_t boot_dev = 0, pnp_dev = 0, never_dev = 0, deferred = 0;
    for (uint32_t i = 0; i < m->ndevices; i++) {
        uint8_t p = t->devices[i].phase;
        boot_dev += p == BL_PHASE_BOOT;
        pnp_dev += p == BL_PHASE_PNP;
        never_dev += p == BL_PHASE_NEVER;
        deferred += t->devices[i].deferred_by != BL_NONE;
    }
    uint32_t sys = 0, aut = 0, pnp = 0;
    for (uint32_t i = 0; i < t->nloads; i++) {
        sys += t->loads[i].phase == BL_PHASE_SYSTEM;
        pnp += t->loads[i].phase == BL_PHASE_PNP;
        aut += t->loads[i].phase == BL_PHASE_AUTO || t->loads[i].phase == BL_PHASE_DELAYED;
    }
    fputc('\n', out);
    wrapped(out, o, "", "  ", "Boot timeline: %u boot drivers, %u loaded for devices, %u system-start, %u auto-start "
                            "services.",
            t->boot_count, pnp, sys, aut);
    wrapped(out, o, "", "  ", "Devices: %u known; %u start in the boot phase, %u in the PnP phase, %u never "
                            "(disabled, missing driver...); %u deferred by a filter.",
            m->ndevices, boot_dev, pnp_dev, never_dev, deferred);
    if (hi && hi->nproblems) {
        fprintf(out, "\nCould not read:\n");
        for (uint32_t i = 0; i < hi->nproblems; i++)
            fprintf(out, "  %s: %s\n", *hi->problems[i].path ? hi->problems[i].path : "(file)",
                    hi->problems[i].reason);
    }
    fputc('\n', out);
    wrapped(out, o, "", "  ", "More: `bootlens order` (load order), `bootlens stack` (device stacks), `bootlens explain "
                            "HIVE NAME`, --format json or html, --fix-out FIX.reg (the fixes merged, to import).");
}
