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
        for (uint32_t i = 0; i < h->recovery.logs_applied && i < BL_MAX_LOGS; i++) {
            bl_finding_evidence(f, h->recovery.applied[i], "applied");
            bl_finding_evidence_is_file(f, h->recovery.applied[i]);
        }
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
    bl_finding_evidence_is_file(f, h->path);
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
    /* Every problem counts: a key that could not be read, and damage to
     * the hive as a whole (its bins cut short, reading stopped). */
    uint32_t n = h->nproblems;
    if (!n)
        return;
    bl_finding *f = bl_finding_add(out, "hive-damaged", BL_SEV_WARNING, "damaged",
                                   "%u part%s of the hive could not be read and %s skipped: the analysis "
                                   "is partial",
                                   n, n == 1 ? "" : "s", n == 1 ? "was" : "were");
    uint32_t shown = 0;
    for (uint32_t i = 0; i < h->nproblems && shown < 200; i++, shown++) {
        const char *p = *h->problems[i].path ? h->problems[i].path : h->path ? h->path : "(the hive file)";
        bl_finding_evidence(f, p, "%s", h->problems[i].reason);
        if (!*h->problems[i].path)
            bl_finding_evidence_is_file(f, p);
    }
    if (n > shown)
        bl_finding_detail(f, "%u more unreadable parts not listed.", n - shown);
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

/* driver-image-user-writable: the file a service runs (never the
 * arguments of its command line: bl_service_image_file) lies below a
 * folder the knowledge file says users can write, and no deeper folder
 * there is protected.  Boot- and system-start drivers run before any
 * defence: an error; anything else the boot starts (auto start, or loaded
 * by PnP for a device): a warning; what the boot never starts (a
 * demand-start driver a tool such as win32dd or Process Explorer installs
 * and loads when it runs) is a forensic fact, not a boot problem: info. */
void rule_driver_image_user_writable(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    bl_sb img = {0}, spelled = {0};
    for (uint32_t i = 0; i < m->nservices; i++) {
        const bl_service *s = &m->services[i];
        if (s->start == BL_START_DISABLED || (!s->image_path && !bl_service_is_driver(s)))
            continue;
        if (!s->image_path)
            continue; /* the default System32\drivers\NAME.sys */
        bl_sb_reset(&img);
        bl_sb_reset(&spelled);
        if (!bl_service_image_file(m, i, &img, &spelled))
            continue;
        const bl_fact *loc = bl_knowledge_location(c->k, bl_sb_str(&img), m->windows);
        if (!loc || loc->relation != BL_REL_USER_WRITABLE)
            continue;
        bool driver = bl_service_is_driver(s);
        bool early = driver && (s->start == BL_START_BOOT || s->start == BL_START_SYSTEM);
        uint8_t phase = c->t->services[i].phase;
        bool at_boot = phase != BL_PHASE_DEMAND && phase != BL_PHASE_NEVER;
        bl_severity sev = early ? BL_SEV_ERROR : at_boot ? BL_SEV_WARNING : BL_SEV_INFO;
        bl_finding *f = bl_finding_add(out, "driver-image-user-writable", sev,
                                       bl_model_str(m, s->name),
                                       "%s %s (%s start) runs %s, in a folder users can write (%s)",
                                       driver ? "driver" : "service", bl_model_str(m, s->name),
                                       bl_start_name(s->start), bl_sb_str(&spelled), loc->subject);
        if (at_boot)
            bl_finding_detail(f, "Anyone who can write there can replace or plant the image%s; drivers and "
                                 "services belong under System32 or Program Files. Common in malware "
                                 "persistence [%s].",
                              early ? ", and a boot- or system-start driver runs before any defence" : "",
                              loc->source);
        else
            bl_finding_detail(f, "Nothing starts it during boot (%s): tools that load a driver of their own "
                                 "when they run leave such services behind. Worth a look in an "
                                 "investigation, not a boot problem [%s].",
                              phase == BL_PHASE_NEVER ? bl_block_text(c->t->services[i].block) : "demand start",
                              loc->source);
        bl_finding_service(f, bl_model_str(m, s->name));
        ev_service(c, f, i, "ImagePath");
        ev_service(c, f, i, "Start");
    }
    bl_sb_free(&img);
    bl_sb_free(&spelled);
}
