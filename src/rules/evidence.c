/* evidence.c — rules about the evidence itself rather than the boot order:
 * a dirty hive, unreadable parts of a damaged hive, values read
 * tolerantly, and driver images in user-writable places (which forensic
 * analysts want to see). */
#include "internal.h"

#include <string.h>

void rule_dirty_hive(const rule_ctx *c, bl_findings *out)
{
    const bl_hive_info *h = c->hive;
    if (!h || !h->dirty)
        return;
    if (h->recovered) {
        bl_finding *f = bl_finding_add(out, "dirty-hive", BL_SEV_INFO, "recovered",
                                       "the hive was dirty; %u log entr%s (%u pages) from %u transaction "
                                       "log%s were replayed in memory before the analysis",
                                       h->recovery.entries, h->recovery.entries == 1 ? "y" : "ies",
                                       h->recovery.pages, h->recovery.logs_applied,
                                       h->recovery.logs_applied == 1 ? "" : "s");
        for (uint32_t i = 0; i < h->recovery.logs_applied && i < BL_MAX_LOGS; i++)
            bl_finding_evidence(f, h->recovery.applied[i], "applied");
        bl_finding_detail(f, "%s. The file on disk was not modified; `bootlens recover` writes the "
                             "recovered hive to a new file.",
                          h->recovery.why);
        return;
    }
    bl_finding *f = bl_finding_add(out, "dirty-hive", BL_SEV_WARNING, "not-recovered",
                                   "the hive is dirty and was analyzed as it is on disk: the most recent "
                                   "changes (a just-installed driver?) may be missing");
    bl_finding_evidence(f, h->path, "primary sequence %u, secondary sequence %u", h->base.primary_seq,
                        h->base.secondary_seq);
    if (h->recovery.why[0])
        bl_finding_detail(f, "%s.", h->recovery.why);
    for (uint32_t i = 0; i < h->recovery.nnotes && i < BL_ARRAY_LEN(h->recovery.notes); i++)
        bl_finding_detail(f, "%s", h->recovery.notes[i]);
    bl_finding_detail(f, "Copy HIVE.LOG1 and HIVE.LOG2 from beside the hive (or pass --log FILE) to replay them.");
}

void rule_hive_damaged(const rule_ctx *c, bl_findings *out)
{
    const bl_hive_info *h = c->hive;
    if (!h)
        return;
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->nproblems; i++)
        n += *h->problems[i].path != '\0';
    if (!n)
        return;
    bl_finding *f = bl_finding_add(out, "hive-damaged", BL_SEV_WARNING, "damaged",
                                   "%u part%s of the hive could not be read and %s skipped: the analysis "
                                   "is partial",
                                   n, n == 1 ? "" : "s", n == 1 ? "was" : "were");
    for (uint32_t i = 0; i < h->nproblems; i++)
        if (*h->problems[i].path)
            bl_finding_evidence(f, h->problems[i].path, "%s", h->problems[i].reason);
}

void rule_registry_anomaly(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    if (!m->nanomalies)
        return;
    bl_finding *f = bl_finding_add(out, "registry-anomaly", BL_SEV_INFO, "anomalies",
                                   "%u value%s had an unexpected type or content and %s read tolerantly",
                                   m->nanomalies, m->nanomalies == 1 ? "" : "s",
                                   m->nanomalies == 1 ? "was" : "were");
    for (uint32_t i = 0; i < m->nanomalies && i < 50; i++) {
        bl_sb p = {0};
        bl_model_reg_path(m, &p, bl_model_str(m, m->anomalies[i].path));
        bl_finding_evidence(f, bl_sb_str(&p), "%s", bl_model_str(m, m->anomalies[i].what));
        bl_sb_free(&p);
    }
    if (m->nanomalies > 50)
        bl_finding_detail(f, "%u more not listed.", m->nanomalies - 50);
}

/* Lower-cased copy with '/' turned into '\'. */
static void normalize_path(const char *s, char *out, size_t size)
{
    size_t k = 0;
    for (; *s && k + 1 < size; s++) {
        char ch = *s == '/' ? '\\' : *s;
        out[k++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
    }
    out[k] = '\0';
}

void rule_driver_image_user_writable(const rule_ctx *c, bl_findings *out)
{
    static const char *const places[] = {"\\users\\", "\\temp\\", "\\tmp\\", "\\programdata\\",
                                         "\\appdata\\", "\\downloads\\", "\\windows\\tasks\\",
                                         "\\$recycle.bin\\", "\\public\\"};
    const bl_model *m = c->m;
    for (uint32_t i = 0; i < m->nservices; i++) {
        const bl_service *s = &m->services[i];
        if (!s->image_path || s->start == BL_START_DISABLED)
            continue;
        char p[1024];
        normalize_path(bl_model_str(m, s->image_path), p, sizeof p);
        const char *hit = NULL;
        for (size_t k = 0; k < BL_ARRAY_LEN(places) && !hit; k++)
            if (strstr(p, places[k]))
                hit = places[k];
        if (!hit)
            continue;
        bool driver = bl_service_is_driver(s);
        bool early = driver && (s->start == BL_START_BOOT || s->start == BL_START_SYSTEM ||
                                s->start == BL_START_AUTO);
        bl_finding *f = bl_finding_add(out, "driver-image-user-writable", early ? BL_SEV_ERROR : BL_SEV_WARNING,
                                       bl_model_str(m, s->name),
                                       "%s %s (%s start) runs from a user-writable location: %s",
                                       driver ? "driver" : "service", bl_model_str(m, s->name),
                                       bl_start_name(s->start), bl_model_str(m, s->image_path));
        bl_finding_detail(f, "Anyone who can write there can replace the image; kernel drivers and "
                             "services belong under System32 or Program Files. Common in malware "
                             "persistence.");
        bl_finding_service(f, bl_model_str(m, s->name));
        ev_service(c, f, i, "ImagePath");
        ev_service(c, f, i, "Start");
    }
}
