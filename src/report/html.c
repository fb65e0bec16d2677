/* html.c — the HTML report: one self-contained file (inline CSS and SVG,
 * no script, no font or image from anywhere, a Content-Security-Policy that
 * forbids both) that reads without JavaScript and prints.  The answer comes
 * first (findings, the verified fix and its .reg), then the boot timeline
 * drawn as SVG, then the device stacks and the load order as tables.
 *
 * The timeline runs top to bottom, one row per boot driver's
 * initialization slot, grouped by load-order group.  A column per held-back
 * device draws the window in which a filter holds it back: from the slot its
 * function driver initializes (it could start then) to the slot it starts.
 * A driver that fails inside a window (named by the finding) is marked with
 * an arrow to the device it needs; filters PnP initialized ahead of their
 * place (BL_WHY_PULLED) are marked too.  Real hives have ~60 boot drivers and
 * ~200 devices, hostile ones far more: rows without anything to show are
 * collapsed, devices beyond a dozen columns are clustered into one, tables
 * are capped, and every picture says what it left out.
 *
 * Everything from the hive is hostile: every string goes through esc()
 * (text and attributes alike), so `<script>` in a service name is text. */
#include "bootlens/report.h"

#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS 12      /* device columns drawn; the rest are clustered into one */
#define ALL_ROWS_UP_TO 120  /* timelines this long are drawn slot by slot */
#define MAX_ROWS 400        /* rows drawn at most, collapsed ones included */
#define MAX_TABLE_ROWS 1000 /* rows of the stack and load-order tables */
#define ROW_H 20
#define HEAD_H 150

/* ---- escaping ---- */

/* The code points esc_n(s, max_cp) writes (its ellipsis included). */
static size_t cp_len(const char *s, size_t max_cp)
{
    size_t cp = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        if ((*p & 0xC0) != 0x80 && cp++ == max_cp)
            return max_cp + 1;
    return cp;
}

/* Writes s as HTML text or attribute value; control characters become
 * U+FFFD (they have no business in a name and are not valid in XML). */
static void esc_n(FILE *out, const char *s, size_t max_cp)
{
    size_t cp = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if ((*p & 0xC0) != 0x80 && cp++ == max_cp) {
            fputs("\xE2\x80\xA6", out); /* ... */
            return;
        }
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        case '\n':
        case '\t': fputc(*p, out); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fputs("\xEF\xBF\xBD", out);
            else
                fputc(*p, out);
        }
    }
}

static void esc(FILE *out, const char *s)
{
    esc_n(out, s, SIZE_MAX);
}

/* s in at most max code points, the middle elided: device instance ids
 * differ at their end ("STORAGE\Volume\{6251...}#0000000000100000"). */
static void esc_mid(FILE *out, const char *s, size_t max)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    if (n <= max || max < 8) {
        esc_n(out, s, max);
        return;
    }
    size_t head = (max - 1) / 2, tail = max - 1 - head, cp = 0;
    esc_n(out, s, head);
    const char *p = s;
    for (; *p; p++)
        if ((*p & 0xC0) != 0x80 && cp++ == n - tail)
            break;
    esc(out, p);
}

/* ---- page ---- */

static const char css[] =
    ":root{--err:#c62828;--warn:#b26a00;--info:#1565c0;--hold:#f2a93b;--pull:#6a1b9a;--ok:#2e7d32;"
    "--ink:#1d232a;--mute:#5f6b76;--line:#d9dee3;--soft:#f5f7f9}\n"
    "*{box-sizing:border-box}\n"
    "body{font:15px/1.45 \"DejaVu Sans\",system-ui,\"Segoe UI\",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);"
    "margin:0 auto;max-width:1200px;padding:24px 28px 48px;background:#fff}\n"
    "h1{font-size:23px;margin:0 0 2px}h2{font-size:18px;margin:34px 0 10px;padding-bottom:4px;"
    "border-bottom:2px solid var(--line)}h3{font-size:15px;margin:14px 0 6px}\n"
    ".meta{color:var(--mute);margin:0 0 10px}.meta b{color:var(--ink);font-weight:600}\n"
    ".note{color:var(--mute);font-size:13px}\n"
    ".toc{font-size:14px;margin:4px 0 0}.toc a{color:var(--info);text-decoration:none}\n"
    ".counts{display:flex;gap:10px;flex-wrap:wrap;margin:14px 0}\n"
    ".count{border-radius:6px;padding:6px 14px;font-weight:700;color:#fff}\n"
    ".count.error{background:var(--err)}.count.warning{background:var(--warn)}.count.info{background:var(--info)}"
    ".count.zero{background:#e9edf1;color:var(--mute)}\n"
    ".finding{border:1px solid var(--line);border-left:6px solid var(--sev);border-radius:6px;padding:12px 16px;"
    "margin:14px 0;break-inside:avoid}\n"
    ".error{--sev:var(--err)}.warning{--sev:var(--warn)}.info{--sev:var(--info)}\n"
    ".sev{display:inline-block;font-size:12px;font-weight:700;letter-spacing:.04em;text-transform:uppercase;"
    "color:#fff;background:var(--sev);padding:1px 7px;border-radius:3px;margin-right:6px}\n"
    ".rule{font-family:\"DejaVu Sans Mono\",ui-monospace,Menlo,Consolas,monospace;font-size:13px;color:var(--mute)}\n"
    ".msg{font-weight:600;margin:6px 0}\n"
    ".detail{margin:4px 0 8px 0;padding-left:18px}.detail li{margin:1px 0}\n"
    ".fix{margin:10px 0 4px;padding:8px 12px;background:#f1f8f2;border:1px solid #cfe6d3;border-radius:5px}\n"
    ".fix .ok{color:var(--ok);font-weight:700}\n"
    ".verif{font-size:13px;color:#33413a;margin:4px 0}\n"
    "pre{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:8px 12px;margin:6px 0;"
    "overflow-x:auto;font:12.5px/1.4 \"DejaVu Sans Mono\",ui-monospace,Menlo,Consolas,monospace;white-space:pre}\n"
    "pre.explain,pre.diff{white-space:pre-wrap}h1 .mono{font-size:inherit}\n"
    "table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}\n"
    "th,td{text-align:left;padding:3px 8px;border-bottom:1px solid var(--line);vertical-align:top}\n"
    "th{background:#eef2f5;font-weight:600}\n"
    "td.mono,.mono{font-family:\"DejaVu Sans Mono\",ui-monospace,Menlo,Consolas,monospace;font-size:12px;"
    "word-break:break-all}\n"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "tr.held td{background:#fff5e6}tr.never td{background:#fdecec}tr.pulled td{background:#f4ecfa}\n"
    ".evidence td{font-size:12px}\n"
    "figure{margin:8px 0}figcaption{font-size:13px;color:var(--mute);margin-top:6px}\n"
    ".svgwrap{overflow-x:auto;border:1px solid var(--line);border-radius:6px;padding:6px}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:16px;font-size:13px;margin:8px 0}\n"
    ".sw{display:inline-block;width:14px;height:14px;border-radius:2px;vertical-align:-2px;margin-right:5px}\n"
    ".diff .add{color:#1b5e20}.diff .del{color:#b71c1c}.diff .chg{color:#8a5a00}.diff .head{font-weight:700}\n"
    "@media print{body{max-width:none;padding:0;font-size:11pt}.toc{display:none}h2{break-after:avoid}"
    ".finding,figure,tr{break-inside:avoid}pre{white-space:pre-wrap;word-break:break-all}"
    ".svgwrap{overflow:visible;border:0}svg{max-width:100%;height:auto}}\n";

static void page_begin(FILE *out, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          out);
    esc(out, title);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
}

static void page_end(FILE *out)
{
    fputs("<p class=\"note\">Generated by bootlens from the hive alone (offline). Slots are positions in the "
          "simulated boot: a device or driver at slot N comes right after the N-th boot driver initialized. Where "
          "the boot model approximates Windows, the findings say so (doc/boot-model.md).</p>\n</body>\n</html>\n",
          out);
}

static const char *sev_class(bl_severity s)
{
    return s == BL_SEV_ERROR ? "error" : s == BL_SEV_WARNING ? "warning" : "info";
}

static void hive_meta(FILE *out, const bl_analysis *a)
{
    const bl_model *m = a->model;
    const bl_hive_info *hi = a->hive;
    bl_sb scen = {0};
    bl_boot_scenario_names(a->timeline->boot_flags, &scen);
    fputs("<p class=\"meta\">Hive <b class=\"mono\">", out);
    esc(out, hi ? hi->path : "(model)");
    fputs("</b> · control set <b>", out);
    esc(out, bl_model_str(m, m->control_set_name));
    fputs("</b> · boot scenario <b>", out);
    esc(out, bl_sb_str(&scen));
    fprintf(out, "</b> · %s loader</p>\n", m->modern_loader ? "Windows 8+" : "Windows 7-style");
    bl_sb_free(&scen);
    if (!hi)
        return;
    if (hi->recovered) {
        bl_sb what = {0};
        bl_recovery_text(&hi->recovery, &what);
        fprintf(
            out,
            "<p class=\"meta\">The hive was dirty: replayed %s (in memory; the file was not written).</p>\n",
            bl_sb_str(&what));
        bl_sb_free(&what);
    } else if (hi->dirty)
        fputs("<p class=\"meta\"><b>The hive is dirty</b> and was analyzed as it is on disk: recent changes may be "
              "missing.</p>\n",
              out);
    if (hi->nproblems)
        fprintf(out, "<p class=\"meta\"><b>Partial analysis:</b> %u part%s of the hive could not be read (listed at "
                     "the end).</p>\n",
                hi->nproblems, hi->nproblems == 1 ? "" : "s");
}

static void counts_bar(FILE *out, const bl_findings *f)
{
    uint32_t n[3] = {0, 0, 0};
    if (f)
        bl_findings_count(f, n);
    static const char *const names[3] = {"info", "warning", "error"};
    fputs("<div class=\"counts\">", out);
    for (int s = 2; s >= 0; s--)
        fprintf(out, "<span class=\"count %s%s\">%u %s%s</span>", names[s], n[s] ? "" : " zero", n[s], names[s],
                n[s] == 1 || s == 0 ? "" : "s");
    fputs("</div>\n", out);
}

static void pre_block(FILE *out, const char *cls, const char *text)
{
    fprintf(out, "<pre class=\"%s\">", cls);
    esc(out, text);
    fputs("</pre>\n", out);
}

static void finding_html(FILE *out, const bl_finding *f)
{
    fprintf(out, "<div class=\"finding %s\">\n<div><span class=\"sev\">%s</span><span class=\"rule\">", sev_class(f->severity),
            bl_severity_name(f->severity));
    esc(out, f->rule);
    fputs("</span></div>\n<p class=\"msg\">", out);
    esc(out, f->message);
    fputs("</p>\n", out);
    if (f->detail) {
        fputs("<ul class=\"detail\">", out);
        for (const char *p = f->detail; *p;) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            char *line = bl_xstrndup(p, n);
            fputs("<li>", out);
            esc(out, line);
            fputs("</li>", out);
            free(line);
            p += n + (nl ? 1 : 0);
        }
        fputs("</ul>\n", out);
    }
    for (uint32_t i = 0; i < f->nfixes; i++) {
        const bl_fix *x = &f->fixes[i];
        fprintf(out, "<div class=\"fix\"><div><span class=\"ok\">Fix %u%s</span> ", i + 1,
                x->verification ? " — re-simulated" : "");
        esc(out, x->summary);
        fputs("</div>\n", out);
        if (x->verification) {
            fputs("<p class=\"verif\">", out);
            esc(out, x->verification);
            fputs("</p>\n", out);
        }
        bl_sb reg = {0};
        bl_changes_to_reg(x->changes, x->nchanges, &reg);
        pre_block(out, "reg", bl_sb_str(&reg));
        bl_sb_free(&reg);
        fputs("</div>\n", out);
    }
    if (f->nevidence) {
        fputs("<h3>Evidence</h3>\n<table class=\"evidence\"><tr><th>Registry key</th><th>Value</th></tr>\n", out);
        for (uint32_t i = 0; i < f->nevidence; i++) {
            fputs("<tr><td class=\"mono\">", out);
            esc(out, f->evidence[i].path);
            fputs("</td><td class=\"mono\">", out);
            esc(out, f->evidence[i].value ? f->evidence[i].value : "");
            fputs("</td></tr>\n", out);
        }
        fputs("</table>\n", out);
    }
    fputs("</div>\n", out);
}

static void findings_section(FILE *out, const bl_findings *f)
{
    fputs("<h2 id=\"findings\">Findings</h2>\n", out);
    uint32_t shown = 0, info = 0;
    for (uint32_t i = 0; f && i < f->n; i++) {
        if (f->v[i].severity == BL_SEV_INFO) {
            info++;
            continue;
        }
        finding_html(out, &f->v[i]);
        shown++;
    }
    if (!shown)
        fputs("<p>No error or warning: nothing in this boot configuration needs fixing.</p>\n", out);
    if (info) {
        fprintf(out, "<h3>Info (%u): by design or worth knowing, nothing to fix</h3>\n<table>\n", info);
        for (uint32_t i = 0; i < f->n; i++) {
            const bl_finding *x = &f->v[i];
            if (x->severity != BL_SEV_INFO)
                continue;
            fputs("<tr><td class=\"rule\">", out);
            esc(out, x->rule);
            fputs("</td><td>", out);
            esc(out, x->message);
            fputs("</td></tr>\n", out);
        }
        fputs("</table>\n", out);
    }
}

static void plan_section(FILE *out, const bl_analysis *a, const bl_fix_plan *p)
{
    if (!p || !p->nchosen)
        return;
    const bl_model *m = a->model;
    fputs("<h2 id=\"fix\">The fix to apply</h2>\n", out);
    fprintf(out, "<p>The first verified fix of %s, merged so that no fix undoes another%s.</p>\n",
            p->nchosen == 1 ? "the finding above" : "each finding above", p->nchanges > 1 ? " (values of one key together)" : "");
    if (p->verification) {
        fputs("<p class=\"verif\">", out);
        esc(out, p->verification);
        fputs("</p>\n", out);
    }
    for (uint32_t i = 0; i < p->nskipped; i++) {
        fputs("<p class=\"note\">Left out: the fix for ", out);
        esc(out, a->findings->v[p->skipped[i].finding].message);
        fputs(": ", out);
        esc(out, p->skipped[i].reason);
        fputs("</p>\n", out);
    }
    bl_sb reg = {0};
    fputs("<h3>On the running system (as Administrator: <span class=\"mono\">reg import FIX.reg</span>, then "
          "restart)</h3>\n",
          out);
    bl_fix_plan_changes_reg(p, m, false, &reg);
    pre_block(out, "reg", bl_sb_str(&reg));
    bl_sb_reset(&reg);
    fputs("<h3>Offline, from WinRE (the hive loaded as HKLM\\OFFLINE; X: is the Windows drive)</h3>\n"
          "<pre class=\"cmd\">reg load HKLM\\OFFLINE X:\\Windows\\System32\\config\\SYSTEM\n"
          "reg import FIX-offline.reg\nreg unload HKLM\\OFFLINE</pre>\n",
          out);
    bl_fix_plan_changes_reg(p, m, true, &reg);
    pre_block(out, "reg", bl_sb_str(&reg));
    bl_sb_free(&reg);
    fputs("<p class=\"note\"><span class=\"mono\">bootlens analyze HIVE --fix-out FIX.reg</span> writes both files "
          "(FIX.reg and FIX-offline.reg).</p>\n",
          out);
}

/* ---- the boot timeline ---- */

/* A device column: the window in which a filter holds the device back. */
typedef struct tl_column {
    uint32_t dev;        /* BL_NONE: the cluster of the devices not drawn one by one */
    uint32_t from, to;   /* slots: its function driver initializes / it starts (to > boot_count: PnP phase) */
    uint32_t filter;     /* the filter that holds it back */
    uint32_t count;      /* cluster: how many devices */
} tl_column;

typedef struct tl_row {
    uint32_t first, last; /* slots (equal for a single driver; first 0: before any driver) */
} tl_row;

typedef struct timeline_view {
    const bl_analysis *a;
    uint32_t focus_svc;  /* explain: the service to highlight, BL_NONE */
    uint32_t focus_dev;  /* explain: the device to highlight, BL_NONE */
    tl_column *cols;
    uint32_t ncols, capcols;
    uint32_t held_total;  /* held-back devices in all */
    bl_break *breaks;
    uint32_t nbreaks;
    tl_row *rows;
    uint32_t nrows, caprows;
    uint32_t *row_of;     /* per slot 0..boot_count: its row */
    uint8_t *interesting; /* per slot */
    uint32_t *starts;     /* per slot: devices starting right after it (boot phase) */
    uint32_t *start_first, *start_devs; /* those devices: start_devs[start_first[slot]...], by slot */
    uint32_t slots_collapsed, slots_cut;
} timeline_view;

uint32_t bl_report_breaks(const bl_analysis *a, bl_break **out)
{
    const bl_model *m = a->model;
    bl_break *v = NULL;
    uint32_t n = 0, cap = 0;
    for (uint32_t i = 0; a->findings && i < a->findings->n; i++) {
        const bl_finding *f = &a->findings->v[i];
        for (uint32_t k = 0; k < f->nbreakages; k++) {
            const bl_breakage *b = &f->breakages[k];
            uint32_t svc = bl_model_find_service(m, b->driver);
            if (svc == BL_NONE)
                continue;
            bl_grow((void **)&v, sizeof *v, &cap, n + 1);
            memset(&v[n], 0, sizeof v[n]);
            v[n].svc = svc;
            v[n].dev = bl_model_find_device(m, b->device);
            v[n].filter = f->nservices ? bl_model_find_service(m, f->services[0]) : BL_NONE;
            v[n].finding = i;
            for (uint32_t x = 0; x < b->nvia && v[n].nvia < BL_ARRAY_LEN(v[n].via); x++) {
                uint32_t s = bl_model_find_service(m, b->via[x]);
                if (s != BL_NONE)
                    v[n].via[v[n].nvia++] = s;
            }
            n++;
        }
    }
    *out = v;
    return n;
}

static uint32_t function_driver(const bl_analysis *a, uint32_t dev)
{
    const bl_device_start *ds = &a->timeline->devices[dev];
    for (uint32_t k = 0; k < ds->stack_count; k++) {
        const bl_stack_entry *e = &a->timeline->stack[ds->stack_first + k];
        if (e->role == BL_ROLE_FUNCTION)
            return e->service;
    }
    return BL_NONE;
}

static bool held_back(const bl_analysis *a, uint32_t dev)
{
    const bl_device_start *ds = &a->timeline->devices[dev];
    return ds->deferred_by != BL_NONE && (ds->phase == BL_PHASE_BOOT || ds->phase == BL_PHASE_PNP);
}

static bool in_stack(const bl_analysis *a, uint32_t dev, uint32_t svc)
{
    const bl_device_start *ds = &a->timeline->devices[dev];
    for (uint32_t k = 0; k < ds->stack_count; k++)
        if (a->timeline->stack[ds->stack_first + k].service == svc)
            return true;
    return false;
}

static tl_column column_of(const bl_analysis *a, uint32_t dev)
{
    const bl_timeline *t = a->timeline;
    const bl_device_start *ds = &t->devices[dev];
    uint32_t fn = function_driver(a, dev);
    uint32_t from = fn != BL_NONE ? bl_timeline_position(t, fn) : 0;
    if (from > t->boot_count)
        from = 0; /* not a boot driver: it could not start earlier in this phase anyway */
    uint32_t to = ds->phase == BL_PHASE_BOOT ? ds->slot : t->boot_count + 1;
    if (from > to)
        from = to;
    return (tl_column){dev, from, to, ds->deferred_by, 1};
}

/* Chooses the device columns: those a broken driver needs, then the
 * held-back devices of the findings in their order, then the others; the
 * devices past MAX_COLUMNS - 1 become one cluster column. */
static void choose_columns(timeline_view *v)
{
    const bl_analysis *a = v->a;
    const bl_model *m = a->model;
    uint8_t *taken = bl_xcalloc(m->ndevices ? m->ndevices : 1, 1);
    uint32_t *order = bl_xmalloc((m->ndevices ? m->ndevices : 1) * sizeof *order), n = 0;
    for (uint32_t i = 0; i < v->nbreaks; i++) {
        uint32_t d = v->breaks[i].dev;
        if (d != BL_NONE && !taken[d] && held_back(a, d)) {
            taken[d] = 1;
            order[n++] = d;
        }
    }
    if (v->focus_dev != BL_NONE && !taken[v->focus_dev] && held_back(a, v->focus_dev)) {
        taken[v->focus_dev] = 1;
        order[n++] = v->focus_dev;
    }
    for (uint32_t i = 0; a->findings && i < a->findings->n; i++) {
        const bl_finding *f = &a->findings->v[i];
        for (uint32_t k = 0; k < f->ndevices && k < 64; k++) {
            uint32_t d = bl_model_find_device(m, f->devices[k]);
            if (d != BL_NONE && !taken[d] && held_back(a, d) &&
                (v->focus_svc == BL_NONE || in_stack(a, d, v->focus_svc))) {
                taken[d] = 1;
                order[n++] = d;
            }
        }
    }
    for (uint32_t d = 0; d < m->ndevices; d++)
        if (!taken[d] && held_back(a, d) && (v->focus_svc == BL_NONE || in_stack(a, d, v->focus_svc))) {
            taken[d] = 1;
            order[n++] = d;
        }
    v->held_total = n;
    uint32_t single = n <= MAX_COLUMNS ? n : MAX_COLUMNS - 1;
    for (uint32_t i = 0; i < single; i++) {
        bl_grow((void **)&v->cols, sizeof *v->cols, &v->capcols, v->ncols + 1);
        v->cols[v->ncols++] = column_of(a, order[i]);
    }
    if (n > single) {
        tl_column c = {BL_NONE, UINT32_MAX, 0, BL_NONE, n - single};
        for (uint32_t i = single; i < n; i++) {
            tl_column x = column_of(a, order[i]);
            c.from = x.from < c.from ? x.from : c.from;
            c.to = x.to > c.to ? x.to : c.to;
            c.filter = c.filter == BL_NONE || c.filter == x.filter ? x.filter : BL_NONE - 1;
        }
        if (c.filter == BL_NONE - 1)
            c.filter = BL_NONE;
        bl_grow((void **)&v->cols, sizeof *v->cols, &v->capcols, v->ncols + 1);
        v->cols[v->ncols++] = c;
    }
    free(order);
    free(taken);
}

static void add_row(timeline_view *v, uint32_t first, uint32_t last)
{
    bl_grow((void **)&v->rows, sizeof *v->rows, &v->caprows, v->nrows + 1);
    v->rows[v->nrows++] = (tl_row){first, last};
}

static bool same_group(const bl_timeline *t, uint32_t p, uint32_t q)
{
    const bl_model *m = t->model;
    return bl_pool_fold(m->pool, m->services[t->loads[p - 1].service].group) ==
           bl_pool_fold(m->pool, m->services[t->loads[q - 1].service].group);
}

/* Rows: every slot for a short boot; otherwise the interesting slots and
 * their neighbours, runs of other slots of one group collapsed into a row. */
static void layout_rows(timeline_view *v)
{
    const bl_timeline *t = v->a->timeline;
    uint32_t nb = t->boot_count;
    v->interesting = bl_xcalloc((size_t)nb + 2, 1);
    v->starts = bl_xcalloc((size_t)nb + 2, sizeof *v->starts);
    v->row_of = bl_xcalloc((size_t)nb + 2, sizeof *v->row_of);
    const bl_model *m = v->a->model;
    for (uint32_t d = 0; d < m->ndevices; d++)
        if (t->devices[d].phase == BL_PHASE_BOOT && t->devices[d].slot <= nb)
            v->starts[t->devices[d].slot]++;
    /* The same devices grouped by slot (a counting sort: linear). */
    v->start_first = bl_xcalloc((size_t)nb + 2, sizeof *v->start_first);
    v->start_devs = bl_xmalloc(((size_t)m->ndevices + 1) * sizeof *v->start_devs);
    for (uint32_t p = 1; p <= nb + 1; p++)
        v->start_first[p] = v->start_first[p - 1] + v->starts[p - 1];
    uint32_t *fill = bl_xcalloc((size_t)nb + 2, sizeof *fill);
    for (uint32_t d = 0; d < m->ndevices; d++) {
        uint32_t sl = t->devices[d].slot;
        if (t->devices[d].phase == BL_PHASE_BOOT && sl <= nb)
            v->start_devs[v->start_first[sl] + fill[sl]++] = d;
    }
    free(fill);
    for (uint32_t i = 0; i < v->ncols; i++) {
        v->interesting[v->cols[i].from <= nb ? v->cols[i].from : nb] = 1;
        v->interesting[v->cols[i].to <= nb ? v->cols[i].to : nb] = 1;
        if (v->cols[i].filter != BL_NONE) {
            uint32_t p = bl_timeline_position(t, v->cols[i].filter);
            if (p && p <= nb)
                v->interesting[p] = 1;
        }
    }
    for (uint32_t i = 0; i < v->nbreaks; i++)
        v->interesting[bl_timeline_position(t, v->breaks[i].svc) <= nb ? bl_timeline_position(t, v->breaks[i].svc) : nb] = 1;
    for (uint32_t p = 1; p <= nb; p++) {
        const bl_load *l = &t->loads[p - 1];
        if ((l->why & BL_WHY_PULLED) || l->service == v->focus_svc)
            v->interesting[p] = 1;
        /* The first driver of each group, so every group is named. */
        if (p == 1 || !same_group(t, p, p - 1))
            v->interesting[p] = 1;
    }
    if (v->starts[0])
        add_row(v, 0, 0);
    bool all = nb <= ALL_ROWS_UP_TO;
    for (uint32_t p = 1; p <= nb;) {
        if (v->nrows >= MAX_ROWS - 2) {
            v->slots_cut = nb - p + 1;
            add_row(v, p, nb);
            for (uint32_t q = p; q <= nb; q++)
                v->row_of[q] = v->nrows - 1;
            break;
        }
        bool show = all || v->interesting[p] || (p > 1 && v->interesting[p - 1]) || (p < nb && v->interesting[p + 1]);
        if (show) {
            v->row_of[p] = v->nrows;
            add_row(v, p, p);
            p++;
            continue;
        }
        uint32_t q = p;
        while (q + 1 <= nb && !v->interesting[q + 1] && !(q + 2 <= nb && v->interesting[q + 2]) &&
               same_group(t, q + 1, p))
            q++;
        for (uint32_t k = p; k <= q; k++)
            v->row_of[k] = v->nrows;
        if (q > p)
            v->slots_collapsed += q - p + 1;
        add_row(v, p, q);
        p = q + 1;
    }
}

static double row_y(const timeline_view *v, uint32_t row)
{
    (void)v;
    return HEAD_H + (double)row * ROW_H;
}

/* The y of the middle of a slot's row; slots past the boot phase are the
 * last (PnP) row. */
static double slot_y(const timeline_view *v, uint32_t slot)
{
    uint32_t nb = v->a->timeline->boot_count;
    if (slot > nb)
        return row_y(v, v->nrows) + ROW_H / 2.0;
    if (slot == 0 && !v->starts[0])
        return row_y(v, 0) + 2;
    return row_y(v, v->row_of[slot]) + ROW_H / 2.0;
}

static const bl_break *break_at(const timeline_view *v, uint32_t svc)
{
    for (uint32_t i = 0; i < v->nbreaks; i++)
        if (v->breaks[i].svc == svc)
            return &v->breaks[i];
    return NULL;
}

static bool is_holding_filter(const timeline_view *v, uint32_t svc)
{
    for (uint32_t i = 0; i < v->ncols; i++)
        if (v->cols[i].filter == svc)
            return true;
    return false;
}

static uint32_t held_by(const bl_analysis *a, uint32_t svc)
{
    uint32_t n = 0;
    for (uint32_t d = 0; d < a->model->ndevices; d++)
        n += a->timeline->devices[d].deferred_by == svc;
    return n;
}

static void short_device(FILE *out, const bl_analysis *a, uint32_t dev, size_t max)
{
    const bl_model *m = a->model;
    const char *svc = bl_model_str(m, m->devices[dev].service);
    bl_sb sb = {0};
    if (*svc)
        bl_sb_addf(&sb, "%s · ", svc);
    bl_sb_add(&sb, bl_model_str(m, m->devices[dev].instance_id));
    esc_mid(out, bl_sb_str(&sb), max);
    bl_sb_free(&sb);
}

/* The devices that start right after slot p: a dot, a count, and their
 * ids as the tooltip (the first 20; the stacks table lists them all). */
static void starts_mark(FILE *out, const timeline_view *v, uint32_t p, double x, double y)
{
    if (!v->starts[p])
        return;
    const bl_model *m = v->a->model;
    fprintf(out, "<g class=\"starts\"><title>%u device%s start%s after slot %u:", v->starts[p], v->starts[p] == 1 ? "" : "s",
            v->starts[p] == 1 ? "s" : "", p);
    uint32_t shown = 0;
    for (; shown < v->starts[p] && shown < 20; shown++) {
        fputs("\n", out);
        esc(out, bl_model_str(m, m->devices[v->start_devs[v->start_first[p] + shown]].instance_id));
    }
    if (v->starts[p] > shown)
        fprintf(out, "\n... and %u more", v->starts[p] - shown);
    fprintf(out,
            "</title><circle cx=\"%.0f\" cy=\"%.1f\" r=\"5\" fill=\"#2e7d32\"/><text x=\"%.0f\" y=\"%.1f\" "
            "fill=\"#2e7d32\">%u device%s</text></g>\n",
            x + 6, y + ROW_H / 2.0, x + 16, y + 14, v->starts[p], v->starts[p] == 1 ? "" : "s");
}

#define ROW_TEXT_CHARS 54 /* bold 12 px characters between X_NAME and X_COLS */
#define X_GROUP 4
#define W_GROUP 184
#define X_SLOT 222
#define X_NAME 232
#define X_COLS 650
#define W_COL 34

static void svg_timeline(FILE *out, timeline_view *v)
{
    const bl_analysis *a = v->a;
    const bl_model *m = a->model;
    const bl_timeline *t = a->timeline;
    uint32_t nb = t->boot_count;
    double x_starts = X_COLS + (double)v->ncols * W_COL + 12;
    double width = x_starts + 210;
    uint32_t total_rows = v->nrows + 1;
    double height = HEAD_H + (double)total_rows * ROW_H + 16;
    fprintf(out,
            "<svg class=\"timeline\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" role=\"img\" font-family=\"DejaVu Sans, Segoe UI, Helvetica, Arial, sans-serif\" "
            "font-size=\"12\">\n<title>Boot timeline: %u boot drivers, %u held-back device%s</title>\n",
            width, height, width, height, nb, v->held_total, v->held_total == 1 ? "" : "s");
    /* Headings. */
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-weight=\"700\">Load-order group</text>\n", X_GROUP, HEAD_H - 8);
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-weight=\"700\">Slot</text>\n", X_SLOT, HEAD_H - 8);
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-weight=\"700\">Boot driver (DriverEntry in this order)</text>\n", X_NAME,
            HEAD_H - 8);
    fprintf(out, "<text x=\"%.0f\" y=\"%d\" font-weight=\"700\">Devices start</text>\n", x_starts, HEAD_H - 8);
    for (uint32_t i = 0; i < v->ncols; i++) {
        double cx = X_COLS + i * W_COL + W_COL / 2.0;
        fprintf(out, "<text class=\"devlabel\" transform=\"translate(%.1f,%d) rotate(-38)\" font-size=\"11\">", cx + 4,
                HEAD_H - 8);
        if (v->cols[i].dev != BL_NONE) {
            fputs("<title>", out);
            esc(out, bl_model_str(m, m->devices[v->cols[i].dev].instance_id));
            fputs("</title>", out);
            short_device(out, a, v->cols[i].dev, 34);
        } else {
            fprintf(out, "+%u more held back", v->cols[i].count);
        }
        fputs("</text>\n", out);
    }
    /* Group bands and rows. */
    uint32_t band = 0;
    for (uint32_t r = 0; r < v->nrows; r++) {
        const tl_row *row = &v->rows[r];
        double y = row_y(v, r);
        if (row->first == 0) {
            fprintf(out, "<text x=\"%d\" y=\"%.1f\" fill=\"#5f6b76\" font-style=\"italic\">before the first boot "
                         "driver</text>\n",
                    X_NAME, y + 14);
            starts_mark(out, v, 0, x_starts, y);
            continue;
        }
        bool group_start = row->first == 1 || !same_group(t, row->first, row->first - 1);
        if (group_start) {
            /* The band spans the rows of this run of the group. */
            uint32_t end = r;
            while (end + 1 < v->nrows && v->rows[end + 1].first > 1 && same_group(t, v->rows[end + 1].first, row->first))
                end++;
            const bl_service *s = &m->services[t->loads[row->first - 1].service];
            fprintf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>\n", X_GROUP, y + 1,
                    W_GROUP, (double)(end - r + 1) * ROW_H - 2, band++ % 2 ? "#e2eaf3" : "#eef3f8");
            fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#d9dee3\"/>\n", X_GROUP, y,
                    width - 4, y);
            fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-weight=\"600\"><title>", X_GROUP + 6, y + 14);
            esc(out, s->group ? bl_model_str(m, s->group) : "(no group)");
            fputs("</title>", out);
            esc_n(out, s->group ? bl_model_str(m, s->group) : "(no group)", 26);
            fputs("</text>\n", out);
        }
        if (row->last > row->first) {
            fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#5f6b76\">%u–%u</text>\n", X_SLOT, y + 14,
                    row->first, row->last);
            fprintf(out, "<text x=\"%d\" y=\"%.1f\" fill=\"#5f6b76\" font-style=\"italic\">… %u more driver%s of this "
                         "group%s</text>\n",
                    X_NAME, y + 14, row->last - row->first + 1, row->last > row->first ? "s" : "",
                    v->slots_cut && r == v->nrows - 1 ? " and later (not drawn)" : "");
            continue;
        }
        uint32_t p = row->first;
        const bl_load *l = &t->loads[p - 1];
        const bl_break *br = break_at(v, l->service);
        bool filter = is_holding_filter(v, l->service);
        bool focus = l->service == v->focus_svc;
        const char *bg = br ? "#fde3e3" : filter ? "#fff1dc" : (l->why & BL_WHY_PULLED) ? "#f1e6f8" : focus ? "#e3f0fd" : NULL;
        if (bg)
            fprintf(out, "<rect class=\"%s\" x=\"%d\" y=\"%.1f\" width=\"%.0f\" height=\"%d\" fill=\"%s\"/>\n",
                    br ? "fails" : filter ? "holder" : (l->why & BL_WHY_PULLED) ? "pulled" : "focus", W_GROUP + 8, y + 1,
                    x_starts - W_GROUP - 14, ROW_H - 2, bg);
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#5f6b76\">%u</text>\n", X_SLOT, y + 14, p);
        fprintf(out, "<text class=\"driver\" x=\"%d\" y=\"%.1f\"%s>", X_NAME, y + 14,
                br ? " fill=\"#c62828\" font-weight=\"700\"" : filter || focus ? " font-weight=\"700\"" : "");
        /* The row's text stops before the device columns: about
         * ROW_TEXT_CHARS bold characters; the device a filter was pulled
         * forward for is cut to what is left, or left to the tooltip. */
        bool pulled_for = (l->why & BL_WHY_PULLED) && l->for_device != BL_NONE && l->for_device < m->ndevices;
        if (pulled_for) {
            fputs("<title>pulled forward for ", out);
            esc(out, bl_model_str(m, m->devices[l->for_device].instance_id));
            fputs("</title>", out);
        }
        size_t used = cp_len(bl_model_service_name(m, l->service), 30);
        esc_n(out, bl_model_service_name(m, l->service), 30);
        if (br) {
            fputs("<tspan fill=\"#c62828\" font-weight=\"700\">  ✖ fails: needs ", out);
            uint32_t fn = br->dev != BL_NONE ? function_driver(a, br->dev) : BL_NONE;
            if (fn != BL_NONE) {
                esc_n(out, bl_model_service_name(m, fn), 20);
                fputs("'s device", out);
                used += 16 + cp_len(bl_model_service_name(m, fn), 20) + 9;
            } else {
                fputs("a held-back device", out);
                used += 16 + 18;
            }
            fputs("</tspan>", out);
        } else if (filter) {
            uint32_t n = held_by(a, l->service);
            char label[64];
            snprintf(label, sizeof label, "  ◆ filter: holds back %u device%s", n, n == 1 ? "" : "s");
            fprintf(out, "<tspan fill=\"#9a5b00\" font-weight=\"700\">%s</tspan>", label);
            used += cp_len(label, sizeof label);
        }
        if (l->why & BL_WHY_PULLED) {
            fputs("<tspan fill=\"#6a1b9a\" font-weight=\"700\">  ⇡ pulled forward", out);
            used += 18;
            if (pulled_for && used + 5 + 12 <= ROW_TEXT_CHARS) {
                fputs(" for ", out);
                short_device(out, a, l->for_device, ROW_TEXT_CHARS - used - 5);
            }
            fputs("</tspan>", out);
        }
        fputs("</text>\n", out);
        starts_mark(out, v, p, x_starts, y);
    }
    /* The phases after boot. */
    {
        double y = row_y(v, v->nrows);
        uint32_t pnp_dev = 0, pnp_drv = 0, sys = 0, aut = 0;
        for (uint32_t d = 0; d < m->ndevices; d++)
            pnp_dev += t->devices[d].phase == BL_PHASE_PNP;
        for (uint32_t i = 0; i < t->nloads; i++) {
            pnp_drv += t->loads[i].phase == BL_PHASE_PNP;
            sys += t->loads[i].phase == BL_PHASE_SYSTEM;
            aut += t->loads[i].phase == BL_PHASE_AUTO || t->loads[i].phase == BL_PHASE_DELAYED;
        }
        fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#5f6b76\" stroke-dasharray=\"4 3\"/>\n",
                X_GROUP, y, width - 4, y);
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-weight=\"600\">After the boot phase</text>\n", X_GROUP + 6, y + 14);
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" fill=\"#5f6b76\">PnP: %u device%s, %u driver%s · system start: %u · "
                     "auto start: %u</text>\n",
                X_NAME, y + 14, pnp_dev, pnp_dev == 1 ? "" : "s", pnp_drv, pnp_drv == 1 ? "" : "s", sys, aut);
    }
    /* Device windows. */
    for (uint32_t i = 0; i < v->ncols; i++) {
        const tl_column *c = &v->cols[i];
        double cx = X_COLS + i * W_COL + W_COL / 2.0;
        double y0 = slot_y(v, c->from), y1 = slot_y(v, c->to);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e7eb\"/>\n", cx, HEAD_H, cx,
                row_y(v, v->nrows) + ROW_H);
        fprintf(out, "<rect class=\"held\" x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"%.1f\" rx=\"3\" fill=\"%s\">"
                     "<title>",
                cx - 7, y0, y1 - y0 > 4 ? y1 - y0 : 4, c->dev == BL_NONE ? "#f7cf8f" : "#f2a93b");
        if (c->dev != BL_NONE) {
            esc(out, bl_model_str(m, m->devices[c->dev].instance_id));
            fprintf(out, ": could start at slot %u, held back", c->from);
            if (c->filter != BL_NONE) {
                fputs(" by ", out);
                esc(out, bl_model_service_name(m, c->filter));
            }
            if (c->to > t->boot_count)
                fputs(" out of the boot phase", out);
            else
                fprintf(out, " until slot %u", c->to);
        } else {
            fprintf(out, "%u more held-back devices, between slots %u and %u", c->count, c->from, c->to);
        }
        fputs("</title></rect>\n", out);
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#fff\" stroke=\"#9a5b00\" stroke-width=\"2\"/>\n",
                cx, y0);
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>\n", cx, y1,
                c->to > t->boot_count ? "#c62828" : "#2e7d32");
    }
    /* What fails inside a window: an arrow to the device it needs. */
    fputs("<defs><marker id=\"arr\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
          "orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#c62828\"/></marker></defs>\n",
          out);
    for (uint32_t i = 0; i < v->nbreaks; i++) {
        const bl_break *b = &v->breaks[i];
        uint32_t p = bl_timeline_position(t, b->svc);
        if (!p || p > nb)
            continue;
        for (uint32_t k = 0; k < v->ncols; k++) {
            if (v->cols[k].dev != b->dev || b->dev == BL_NONE)
                continue;
            double y = slot_y(v, p);
            double cx = X_COLS + k * W_COL + W_COL / 2.0;
            fprintf(out,
                    "<line class=\"needs\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c62828\" "
                    "stroke-width=\"2\" stroke-dasharray=\"5 3\" marker-end=\"url(#arr)\"/>\n",
                    X_COLS - 6, y, cx - 9, y);
        }
    }
    fputs("</svg>\n", out);
}

static void timeline_view_free(timeline_view *v)
{
    free(v->cols);
    free(v->breaks);
    free(v->rows);
    free(v->row_of);
    free(v->interesting);
    free(v->starts);
    free(v->start_first);
    free(v->start_devs);
}

static void timeline_section(FILE *out, const bl_analysis *a, uint32_t focus_svc, uint32_t focus_dev, const char *id,
                             const char *title)
{
    timeline_view v = {0};
    v.a = a;
    v.focus_svc = focus_svc;
    v.focus_dev = focus_dev;
    v.nbreaks = bl_report_breaks(a, &v.breaks);
    choose_columns(&v);
    layout_rows(&v);
    fprintf(out, "<h2 id=\"%s\">", id);
    esc(out, title);
    fputs("</h2>\n<div class=\"legend\">"
          "<span><span class=\"sw\" style=\"background:#f2a93b\"></span>held back by a filter (from its function "
          "driver's slot to its start)</span>"
          "<span><b style=\"color:#c62828\">✖</b> a driver that fails inside the window (its row tinted red)</span>"
          "<span><span class=\"sw\" style=\"background:#fff1dc;border:1px solid #9a5b00\"></span>the filter holding "
          "devices back</span>"
          "<span><span class=\"sw\" style=\"background:#f1e6f8;border:1px solid #6a1b9a\"></span>filter PnP "
          "initialized ahead of its place (pulled forward)</span>"
          "<span><span class=\"sw\" style=\"background:#2e7d32;border-radius:7px\"></span>devices start</span>"
          "</div>\n<figure>\n<div class=\"svgwrap\">\n",
          out);
    svg_timeline(out, &v);
    fputs("</div>\n<figcaption>", out);
    const bl_timeline *t = a->timeline;
    uint32_t drawn = 0;
    for (uint32_t r = 0; r < v.nrows; r++)
        drawn += v.rows[r].first && v.rows[r].first == v.rows[r].last;
    fprintf(out, "Drawn: %u of %u boot drivers one by one", drawn, t->boot_count);
    if (v.slots_collapsed)
        fprintf(out, " (%u with nothing to show are folded into “… more drivers” rows)", v.slots_collapsed);
    if (v.slots_cut)
        fprintf(out, "; the last %u slots are not drawn (more than %u rows)", v.slots_cut, MAX_ROWS);
    fprintf(out, "; %u held-back device%s", v.held_total, v.held_total == 1 ? "" : "s");
    if (v.ncols && v.cols[v.ncols - 1].dev == BL_NONE)
        fprintf(out, ", %u drawn one by one and %u clustered into the last column", v.ncols - 1,
                v.cols[v.ncols - 1].count);
    fprintf(out, ". Devices that start without being held back are counted per slot (%u in all).", a->model->ndevices);
    fputs("</figcaption>\n</figure>\n", out);
    timeline_view_free(&v);
}

/* ---- tables ---- */

static void stacks_table(FILE *out, const bl_analysis *a, uint32_t only_svc, uint32_t only_dev)
{
    const bl_model *m = a->model;
    const bl_timeline *t = a->timeline;
    fputs("<h2 id=\"stacks\">Device stacks</h2>\n", out);
    uint32_t n = 0, shown = 0;
    for (uint32_t d = 0; d < m->ndevices; d++) {
        bool sel = only_dev != BL_NONE ? d == only_dev : only_svc != BL_NONE ? in_stack(a, d, only_svc) : bl_stack_interesting(a, d);
        if (!sel)
            continue;
        if (!n++)
            fputs("<table><tr><th>Device</th><th>Class</th><th>Stack, bottom to top (slot each driver "
                  "initializes)</th><th>Starts</th><th>Held back by</th></tr>\n",
                  out);
        if (shown >= MAX_TABLE_ROWS)
            continue;
        shown++;
        const bl_device_start *ds = &t->devices[d];
        fprintf(out, "<tr class=\"%s\"><td class=\"mono\">",
                ds->phase == BL_PHASE_NEVER ? "never" : ds->deferred_by != BL_NONE ? "held" : "");
        esc(out, bl_model_str(m, m->devices[d].instance_id));
        fputs("</td><td>", out);
        esc(out, bl_model_device_class_name(m, &m->devices[d]));
        fputs("</td><td>", out);
        for (uint32_t k = 0; k < ds->stack_count; k++) {
            const bl_stack_entry *e = &t->stack[ds->stack_first + k];
            uint32_t pos = bl_timeline_position(t, e->service);
            fputs(k ? " → " : "", out);
            fputs("<b>", out);
            esc(out, bl_model_str(m, e->name));
            fputs("</b> <span class=\"note\">", out);
            esc(out, bl_role_name(e->role));
            if (e->service == BL_NONE)
                fputs(", MISSING", out);
            else if (pos)
                fprintf(out, ", slot %u", pos);
            else
                fputs(", not loaded", out);
            fputs("</span>", out);
        }
        if (!ds->stack_count)
            fputs("(no driver: raw device)", out);
        fputs("</td><td>", out);
        if (ds->phase == BL_PHASE_BOOT || ds->phase == BL_PHASE_PNP)
            fprintf(out, "%s phase, slot %u", bl_phase_name(ds->phase), ds->slot);
        else if (ds->phase == BL_PHASE_NEVER)
            esc(out, bl_block_text(ds->block));
        else
            fputs("legacy devnode", out);
        fputs("</td><td>", out);
        esc(out, bl_model_service_name(m, ds->deferred_by));
        fputs("</td></tr>\n", out);
    }
    if (n)
        fputs("</table>\n", out);
    if (n > shown)
        fprintf(out, "<p class=\"note\">%u more devices not listed (`bootlens stack HIVE --all` lists them).</p>\n",
                n - shown);
    if (!n)
        fputs("<p>No device has filters, is held back or fails to start.</p>\n", out);
    else if (only_svc == BL_NONE && only_dev == BL_NONE)
        fprintf(out, "<p class=\"note\">%u of %u devices: those with filters, held back, or not starting.</p>\n", n,
                m->ndevices);
}

static void order_table(FILE *out, const bl_analysis *a, uint32_t focus_svc)
{
    const bl_model *m = a->model;
    const bl_timeline *t = a->timeline;
    fputs("<h2 id=\"order\">Load order</h2>\n<table><tr><th class=\"num\">#</th><th>Phase</th><th>Group</th>"
          "<th class=\"num\">Tag</th><th>Service</th><th>Start</th><th>Type</th><th>Image</th><th>Note</th></tr>\n",
          out);
    bl_sb tag = {0}, img = {0};
    uint32_t shown = t->nloads < MAX_TABLE_ROWS ? t->nloads : MAX_TABLE_ROWS;
    for (uint32_t i = 0; i < shown; i++) {
        const bl_load *l = &t->loads[i];
        const bl_service *s = &m->services[l->service];
        bl_sb_reset(&tag);
        bl_sb_reset(&img);
        bl_tag_text(s, l->tag_index, &tag);
        bl_service_image(m, l->service, &img);
        fprintf(out, "<tr%s><td class=\"num\">%u</td><td>%s</td><td>",
                (l->why & BL_WHY_PULLED) ? " class=\"pulled\"" : l->service == focus_svc ? " class=\"held\"" : "",
                l->position, bl_phase_name(l->phase));
        esc(out, bl_model_str(m, s->group));
        fputs("</td><td class=\"num\">", out);
        esc(out, bl_sb_str(&tag));
        fputs("</td><td><b>", out);
        esc(out, bl_model_str(m, s->name));
        fprintf(out, "</b></td><td>%s</td><td>%s</td><td class=\"mono\">", bl_start_name(s->start), bl_type_name(s));
        esc(out, bl_sb_str(&img));
        fputs("</td><td>", out);
        if (l->why & BL_WHY_PULLED) {
            fputs("pulled forward by PnP", out);
            if (l->for_device != BL_NONE && l->for_device < m->ndevices) {
                fputs(" for <span class=\"mono\">", out);
                esc(out, bl_model_str(m, m->devices[l->for_device].instance_id));
                fputs("</span>", out);
            }
        } else if (l->why & BL_WHY_BOOTFLAGS) {
            fputs("BootFlags promotion", out);
        } else if (l->why & BL_WHY_BOOT_FS) {
            fputs("boot file system", out);
        } else if ((l->why & BL_WHY_DEVICE) && l->for_device < m->ndevices) {
            fputs("for <span class=\"mono\">", out);
            esc(out, bl_model_str(m, m->devices[l->for_device].instance_id));
            fputs("</span>", out);
        } else if (l->why & BL_WHY_DEPENDENCY) {
            fputs("dependency of ", out);
            esc(out, bl_model_service_name(m, l->for_device));
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
    if (shown < t->nloads)
        fprintf(out, "<p class=\"note\">%u more loads not listed (`bootlens order HIVE` lists them all).</p>\n",
                t->nloads - shown);
    bl_sb_free(&tag);
    bl_sb_free(&img);
}

static void problems_section(FILE *out, const bl_analysis *a)
{
    const bl_hive_info *hi = a->hive;
    if (!hi || !hi->nproblems)
        return;
    fputs("<h2 id=\"unread\">Could not read</h2>\n<table><tr><th>Key</th><th>Why</th></tr>\n", out);
    for (uint32_t i = 0; i < hi->nproblems && i < MAX_TABLE_ROWS; i++) {
        fputs("<tr><td class=\"mono\">", out);
        esc(out, *hi->problems[i].path ? hi->problems[i].path : "(file)");
        fputs("</td><td>", out);
        esc(out, hi->problems[i].reason);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* ---- the three reports ---- */

void bl_report_analyze_html(FILE *out, const bl_analysis *a, const bl_fix_plan *plan)
{
    bl_sb title = {0};
    bl_sb_addf(&title, "bootlens: %s", a->hive ? a->hive->path : "(model)");
    page_begin(out, bl_sb_str(&title));
    bl_sb_free(&title);
    fputs("<h1>Boot analysis</h1>\n", out);
    hive_meta(out, a);
    counts_bar(out, a->findings);
    fprintf(out, "<nav class=\"toc\"><a href=\"#findings\">Findings</a>%s · <a href=\"#timeline\">Boot timeline</a> · "
                 "<a href=\"#stacks\">Device stacks</a> · <a href=\"#order\">Load order</a></nav>\n",
            plan && plan->nchosen ? " · <a href=\"#fix\">The fix to apply</a>" : "");
    findings_section(out, a->findings);
    plan_section(out, a, plan);
    timeline_section(out, a, BL_NONE, BL_NONE, "timeline", "Boot timeline");
    stacks_table(out, a, BL_NONE, BL_NONE);
    order_table(out, a, BL_NONE);
    problems_section(out, a);
    page_end(out);
}

void bl_report_explain_html(FILE *out, const bl_analysis *a, const char *name, const char *text)
{
    const bl_model *m = a->model;
    uint32_t svc = bl_model_find_service(m, name);
    uint32_t dev = svc == BL_NONE ? bl_model_find_device(m, name) : BL_NONE;
    bl_sb title = {0};
    bl_sb_addf(&title, "bootlens explain %s", name);
    page_begin(out, bl_sb_str(&title));
    bl_sb_free(&title);
    fputs("<h1>Explain <span class=\"mono\">", out);
    esc(out, svc != BL_NONE ? bl_model_service_name(m, svc) : dev != BL_NONE ? bl_model_str(m, m->devices[dev].instance_id) : name);
    fputs("</span></h1>\n", out);
    hive_meta(out, a);
    pre_block(out, "explain", text);
    bool header = false;
    for (uint32_t i = 0; a->findings && i < a->findings->n; i++) {
        const bl_finding *f = &a->findings->v[i];
        char **v = dev != BL_NONE ? f->devices : f->services;
        uint32_t n = dev != BL_NONE ? f->ndevices : f->nservices;
        bool hit = false;
        for (uint32_t k = 0; k < n && !hit; k++)
            hit = bl_fold_eq(v[k], name);
        if (!hit)
            continue;
        if (!header)
            fputs("<h2 id=\"findings\">Findings that mention it</h2>\n", out);
        header = true;
        finding_html(out, f);
    }
    timeline_section(out, a, svc, dev, "timeline", "Boot timeline");
    stacks_table(out, a, svc, dev);
    page_end(out);
}

void bl_report_diff_html(FILE *out, const bl_analysis *x, const bl_analysis *y, const char *text)
{
    page_begin(out, "bootlens diff");
    fputs("<h1>What changed</h1>\n<p class=\"meta\">A = <b class=\"mono\">", out);
    esc(out, x->hive ? x->hive->path : "(model)");
    fputs("</b> (", out);
    esc(out, bl_model_str(x->model, x->model->control_set_name));
    fputs(") · B = <b class=\"mono\">", out);
    esc(out, y->hive ? y->hive->path : "(model)");
    fputs("</b> (", out);
    esc(out, bl_model_str(y->model, y->model->control_set_name));
    fputs(")</p>\n<pre class=\"diff\">", out);
    /* The text diff, each line coloured by its mark. */
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = bl_xstrndup(p, n);
        const char *cls = strncmp(line, "  + ", 4) == 0 ? "add"
                          : strncmp(line, "  - ", 4) == 0 ? "del"
                          : strncmp(line, "  ~ ", 4) == 0 ? "chg"
                          : (n && line[n - 1] == ':' && line[0] != ' ') ? "head"
                                                                       : NULL;
        if (cls)
            fprintf(out, "<span class=\"%s\">", cls);
        esc(out, line);
        if (cls)
            fputs("</span>", out);
        fputc('\n', out);
        free(line);
        p += n + (nl ? 1 : 0);
    }
    fputs("</pre>\n", out);
    fputs("<h2>Findings in B</h2>\n", out);
    counts_bar(out, y->findings);
    timeline_section(out, x, BL_NONE, BL_NONE, "timeline-a", "Boot timeline of A");
    timeline_section(out, y, BL_NONE, BL_NONE, "timeline-b", "Boot timeline of B");
    page_end(out);
}
