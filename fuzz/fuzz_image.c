/* fuzz_image.c — libFuzzer target for the image layer: the input is a raw
 * disk (or volume) image.  It goes through the volume system parser (MBR
 * with its extended chain, GPT with its CRCs), the file system sniffing,
 * libfsntfs over the bounds-checked window, the search for Windows
 * installations, and reading each SYSTEM hive and its logs into hive/.  Any
 * input must end in a clean refusal or a result: never a crash, a leak, a
 * hang or a read outside the input. */
#include "bootlens/hive.h"
#include "bootlens/image.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bl_image *img = NULL;
    bl_error err = {{0}};
    if (bl_image_open_memory(data, size, "fuzz.img", &img, &err) != 0)
        return 0;
    const bl_image_info *ii = bl_image_get_info(img);
    for (uint32_t i = 0; i < ii->ninstallations; i++) {
        const bl_image_installation *in = &ii->installations[i];
        if (!in->system.path)
            continue;
        uint8_t *hive;
        size_t n;
        char *spelled, *bad;
        if (bl_image_read_file(img, in->volume, in->system.path, (size_t)16 << 20, &hive, &n, &spelled, &bad,
                               &err) != 1)
            continue;
        bl_log_file logs[BL_IMAGE_LOG_NAMES];
        uint8_t *bufs[BL_IMAGE_LOG_NAMES];
        char *names[BL_IMAGE_LOG_NAMES], *lbad;
        size_t nlogs = 0;
        for (int k = 0; k < BL_IMAGE_LOG_NAMES; k++) {
            size_t ln;
            if (!in->logs[k].path || bl_image_read_file(img, in->volume, in->logs[k].path, (size_t)4 << 20,
                                                        &bufs[nlogs], &ln, &names[nlogs], &lbad, &err) != 1)
                continue;
            free(lbad);
            logs[nlogs] = (bl_log_file){names[nlogs], bufs[nlogs], ln};
            nlogs++;
        }
        bl_hive_bytes hb = {hive, n, spelled, logs, nlogs, bad};
        bl_hive *h = NULL;
        if (bl_hive_open_bytes(&hb, NULL, &h, &err) == 0)
            bl_hive_close(h);
        for (size_t k = 0; k < nlogs; k++) {
            free(bufs[k]);
            free(names[k]);
        }
        free(spelled);
        free(bad);
    }
    bl_image_close(img);
    return 0;
}
