/* RGB images painted from lattice fields, written as PNG through libpng. */
#ifndef PAPER2D_PNG_OUT_H
#define PAPER2D_PNG_OUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct paper2d_image {
  int width, height;
  uint8_t *rgb; /* width * height * 3 bytes, row-major */
} paper2d_image;

/* A width x height image filled with a grey level; 0 on success. */
int paper2d_image_create(paper2d_image *img, int width, int height, uint8_t grey);
void paper2d_image_destroy(paper2d_image *img);

/* Diverging colour map: -1 blue, 0 white, +1 red (values clipped). */
void paper2d_diverging(double t, uint8_t rgb[3]);

/* Paint an lx x ly field (site y * lx + x is values[(y * lx + x) * stride])
 * at (x0, y0), each site a scale x scale square coloured by value / norm. */
void paper2d_image_paint_field(paper2d_image *img, int x0, int y0, const float *values,
                               size_t stride, int lx, int ly, int scale, double norm);

/* Write img as an 8-bit RGB PNG; on failure 0 is not returned and errno or
 * a message on stderr says why. */
int paper2d_png_write(const char *path, const paper2d_image *img);

/* A grid of tiles, one per column of fields (sites x units, row-major,
 * site y * lx + x), each normalized by its own largest |value|. */
int paper2d_png_tiles(const char *path, const float *fields, int lx, int ly, int units,
                      int scale);

#endif
