/* ntfsput.c — test tool: puts files into an NTFS volume image made by
 * mkntfs, creating the directories on the way (ntfscp cannot), through
 * libntfs-3g (Debian's ntfs-3g-dev) on the image file itself, no FUSE mount.
 *
 *   ntfsput VOLUME [--interleave BYTES] DEST=SRC...
 *
 * DEST is an NTFS path ("/Windows/System32/config/SYSTEM"), spelled as it
 * will be stored (the tests use odd letter cases on purpose).  With
 * --interleave the files are written BYTES at a time in turn, so each one
 * ends up in many fragments (data runs), as hives on a used disk are.
 * Exit 0, or 1 with a one-line reason. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/unistr.h>
#include <ntfs-3g/volume.h>

#define MAX_FILES 16

typedef struct put {
    const char *dest, *src;
    unsigned char *data;
    size_t size, done;
    ntfs_inode *ni;
    ntfs_attr *na;
} put;

static int die(const char *what, const char *arg)
{
    fprintf(stderr, "ntfsput: %s: %s\n", arg, what);
    return 1;
}

static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        fclose(f);
        return NULL;
    }
    *size = (size_t)st.st_size;
    unsigned char *p = malloc(*size ? *size : 1);
    if (p && fread(p, 1, *size, f) != *size) {
        free(p);
        p = NULL;
    }
    fclose(f);
    return p;
}

/* Opens (or creates) one path component below dir; closes dir. */
static ntfs_inode *step(ntfs_volume *vol, ntfs_inode *dir, const char *name, mode_t type)
{
    ntfs_inode *ni = ntfs_pathname_to_inode(vol, dir, name);
    if (!ni) {
        ntfschar *uname = NULL;
        int len = ntfs_mbstoucs(name, &uname);
        if (len <= 0 || len > 255) {
            free(uname);
            ntfs_inode_close(dir);
            return NULL;
        }
        ni = ntfs_create(dir, const_cpu_to_le32(0), uname, (u8)len, type);
        free(uname);
    }
    ntfs_inode_close(dir);
    return ni;
}

/* Walks DEST from the root, creating directories and the file. */
static ntfs_inode *create_path(ntfs_volume *vol, const char *dest)
{
    char *copy = strdup(dest);
    ntfs_inode *cur = ntfs_inode_open(vol, FILE_root);
    char *save = NULL;
    char *part = strtok_r(copy, "/", &save);
    while (part && cur) {
        char *next = strtok_r(NULL, "/", &save);
        cur = step(vol, cur, part, next ? S_IFDIR : S_IFREG);
        part = next;
    }
    free(copy);
    return cur;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: ntfsput VOLUME [--interleave BYTES] DEST=SRC...\n");
        return 2;
    }
    size_t chunk = 0;
    put puts[MAX_FILES];
    int n = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--interleave") == 0 && i + 1 < argc) {
            chunk = strtoul(argv[++i], NULL, 10);
            continue;
        }
        char *eq = strchr(argv[i], '=');
        if (!eq || n >= MAX_FILES)
            return die("expected DEST=SRC", argv[i]);
        *eq = '\0';
        puts[n] = (put){argv[i], eq + 1, NULL, 0, 0, NULL, NULL};
        if (!(puts[n].data = slurp(puts[n].src, &puts[n].size)))
            return die(strerror(errno), puts[n].src);
        n++;
    }
    ntfs_volume *vol = ntfs_mount(argv[1], NTFS_MNT_NONE);
    if (!vol)
        return die("cannot mount the NTFS volume image", argv[1]);
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        puts[i].ni = create_path(vol, puts[i].dest);
        if (!puts[i].ni || !(puts[i].na = ntfs_attr_open(puts[i].ni, AT_DATA, AT_UNNAMED, 0)))
            rc = die("cannot create", puts[i].dest);
    }
    /* Round robin over the files, chunk bytes each (all at once without
     * --interleave). */
    for (int more = 1; more && !rc;) {
        more = 0;
        for (int i = 0; i < n && !rc; i++) {
            put *p = &puts[i];
            size_t left = p->size - p->done;
            if (!left)
                continue;
            size_t len = chunk && chunk < left ? chunk : left;
            if (ntfs_attr_pwrite(p->na, (s64)p->done, (s64)len, p->data + p->done) != (s64)len)
                rc = die("write failed", p->dest);
            p->done += len;
            more |= p->done < p->size;
        }
    }
    for (int i = 0; i < n; i++) {
        if (puts[i].na)
            ntfs_attr_close(puts[i].na);
        if (puts[i].ni)
            ntfs_inode_close(puts[i].ni);
        free(puts[i].data);
    }
    if (ntfs_umount(vol, FALSE) != 0 && !rc)
        rc = die("unmount failed", argv[1]);
    return rc;
}
