/* internal.h — functions shared between the files of the sim module only. */
#ifndef BOOTLENS_SIM_INTERNAL_H
#define BOOTLENS_SIM_INTERNAL_H

#include "bootlens/sim.h"

/* Orders service indices as the loader would (order.c). */
uint32_t bl_sim_order_services(const bl_model *m, const uint32_t *cands, uint32_t n, bool boot,
                               uint32_t *out, uint32_t *tag_out);
/* Appends a load at the next position and records it for the service
 * (for_device: the device, or the dependent service for SCM dependencies). */
uint32_t bl_sim_add_load(bl_timeline *t, uint32_t svc, uint8_t phase, uint8_t why, uint32_t tag_index,
                         uint32_t for_device);
/* The SCM auto-start phase (scm.c). */
void bl_sim_scm(bl_timeline *t);

#endif
