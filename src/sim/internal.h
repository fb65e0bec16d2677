/* internal.h — functions shared between the files of the sim module only. */
#ifndef BOOTLENS_SIM_INTERNAL_H
#define BOOTLENS_SIM_INTERNAL_H

#include "bootlens/sim.h"

/* Orders service indices as the loader would (order.c). */
uint32_t bl_sim_order_services(const bl_model *m, const uint32_t *cands, uint32_t n, bool boot,
                               uint32_t *out, uint32_t *tag_out);
/* The SCM auto-start phase (scm.c). */
void bl_sim_scm(bl_timeline *t);

#endif
