/* fuzz_knowledge.c — libFuzzer target for the knowledge-file parser
 * (--knowledge FILE): arbitrary text must parse or fail with FILE:LINE,
 * never crash or leak. */
#include "bootlens/rules.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    bl_knowledge *k = bl_knowledge_new();
    bl_error err = {{0}};
    if (bl_knowledge_add_text(k, "fuzz.txt", text, &err) != 0 && strncmp(err.msg, "fuzz.txt:", 9) != 0)
        abort(); /* every error must name FILE:LINE */
    bl_knowledge_free(k);
    free(text);
    return 0;
}
