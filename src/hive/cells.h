/* cells.h — the direct regf cell reader (cells.c), internal to hive/. */
#ifndef BOOTLENS_HIVE_CELLS_H
#define BOOTLENS_HIVE_CELLS_H

#include "bootlens/hive.h"

/* The hive bins data of an image (offsets in the file are relative to it). */
typedef struct bl_cells {
    const uint8_t *base;
    uint32_t size;
    uint32_t minor; /* regf minor version: big data cells exist from 1.4 */
} bl_cells;

typedef struct bl_cells_nk {
    uint32_t off;
    uint16_t flags;
    uint64_t last_written;
    uint32_t parent; /* offset of the parent's nk, as this key records it */
    uint32_t nsubkeys, subkeys;
    uint32_t nvalues, values;
    const uint8_t *name;
    uint16_t name_len;
} bl_cells_nk;

typedef struct bl_cells_vk {
    const uint8_t *name;
    uint16_t name_len;
    uint16_t flags;
    uint32_t type;
    uint32_t data_size, data_off;
    const uint8_t *inline_data;
} bl_cells_vk;

/* The length of the chain of valid hive bins at the start of bins[0..size):
 * each bin starts with "hbin", records its own offset, and has a size that is
 * a non-zero multiple of 4096 within what is left.  When the chain ends
 * before size, *why says what ended it (0: not even the first bin). */
uint32_t bl_cells_bins_extent(const uint8_t *bins, uint32_t size, const char **why);

/* Each returns 0 (or 1 = found for find_subkey), or -1 with *why set to a
 * static reason. */
int bl_cells_key(const bl_cells *c, uint32_t off, bl_cells_nk *nk, const char **why);
void bl_cells_key_name(const bl_cells_nk *nk, bl_sb *out);
/* The key's subkey nk offsets, flattened (malloc'd; free it). */
int bl_cells_subkeys(const bl_cells *c, const bl_cells_nk *nk, uint32_t **offs, uint32_t *n,
                     const char **why);
/* Case-insensitive lookup of one subkey name: 1 found, 0 absent, -1 error.
 * Only a subkey that names nk as its parent is found (see open.c). */
int bl_cells_find_subkey(const bl_cells *c, const bl_cells_nk *nk, const char *name, bl_cells_nk *out,
                         const char **why);
/* Checks the key's value list cell once (0 = usable). */
int bl_cells_value_list_ok(const bl_cells *c, const bl_cells_nk *nk, const char **why);
int bl_cells_value(const bl_cells *c, const bl_cells_nk *nk, uint32_t index, bl_cells_vk *vk,
                   const char **why);
void bl_cells_value_name(const bl_cells_vk *vk, bl_sb *out);
/* The value's bytes: pointing into the image, or into `big` for big data. */
int bl_cells_value_data(const bl_cells *c, const bl_cells_vk *vk, size_t max, bl_sb *big,
                        const uint8_t **data, size_t *size, const char **why);

#endif
