#include "png_out.h"

#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TILE_GAP = 2, BACKGROUND = 96 };

int paper2d_image_create(paper2d_image *img, int width, int height, uint8_t grey) {
  img->width = width;
  img->height = height;
  img->rgb = malloc((size_t)width * (size_t)height * 3);
  if (img->rgb == NULL) return -1;
  memset(img->rgb, grey, (size_t)width * (size_t)height * 3);
  return 0;
}

void paper2d_image_destroy(paper2d_image *img) {
  free(img->rgb);
  img->rgb = NULL;
}

void paper2d_diverging(double t, uint8_t rgb[3]) {
  if (!(t == t)) t = 0; /* NaN paints white rather than garbage */
  t = t < -1 ? -1 : t > 1 ? 1 : t;
  /* linear blend from white to a saturated pole keeps 0 neutral and the
   * two signs equally bright, as in the paper's receptive-field plots */
  static const double pos[3] = {178, 24, 43}, neg[3] = {33, 102, 172};
  const double *pole = t >= 0 ? pos : neg;
  double a = fabs(t);
  for (int k = 0; k < 3; k++) rgb[k] = (uint8_t)lrint(255 + a * (pole[k] - 255));
}

static void fill_square(paper2d_image *img, int x0, int y0, int size, const uint8_t rgb[3]) {
  for (int y = y0; y < y0 + size && y < img->height; y++)
    for (int x = x0; x < x0 + size && x < img->width; x++)
      memcpy(img->rgb + ((size_t)y * (size_t)img->width + (size_t)x) * 3, rgb, 3);
}

void paper2d_image_paint_field(paper2d_image *img, int x0, int y0, const float *values,
                               size_t stride, int lx, int ly, int scale, double norm) {
  double inv = norm > 0 ? 1.0 / norm : 0.0;
  for (int y = 0; y < ly; y++)
    for (int x = 0; x < lx; x++) {
      uint8_t rgb[3];
      paper2d_diverging(values[((size_t)y * (size_t)lx + (size_t)x) * stride] * inv, rgb);
      fill_square(img, x0 + x * scale, y0 + y * scale, scale, rgb);
    }
}

static int write_rows(FILE *f, const paper2d_image *img) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (info == NULL) {
    png_destroy_write_struct(&png, NULL);
    return -1;
  }
  /* libpng reports errors by longjmp; nothing below owns memory to free */
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return -1;
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, (png_uint_32)img->width, (png_uint_32)img->height, 8, PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < img->height; y++)
    png_write_row(png, img->rgb + (size_t)y * (size_t)img->width * 3);
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return 0;
}

int paper2d_png_write(const char *path, const paper2d_image *img) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) return -1;
  int rc = write_rows(f, img);
  if (fclose(f) != 0) rc = -1;
  if (rc != 0) remove(path);
  return rc;
}

static double column_max_abs(const float *fields, int sites, int units, int j) {
  double m = 0;
  for (int i = 0; i < sites; i++) m = fmax(m, fabs(fields[(size_t)i * (size_t)units + (size_t)j]));
  return m;
}

int paper2d_png_tiles(const char *path, const float *fields, int lx, int ly, int units,
                      int scale) {
  int cols = (int)ceil(sqrt((double)units)), rows = (units + cols - 1) / cols;
  int tw = lx * scale + TILE_GAP, th = ly * scale + TILE_GAP;
  paper2d_image img;
  if (paper2d_image_create(&img, cols * tw + TILE_GAP, rows * th + TILE_GAP, BACKGROUND)) return -1;
  for (int j = 0; j < units; j++) {
    double norm = column_max_abs(fields, lx * ly, units, j);
    paper2d_image_paint_field(&img, TILE_GAP + (j % cols) * tw, TILE_GAP + (j / cols) * th,
                              fields + j, (size_t)units, lx, ly, scale, norm);
  }
  int rc = paper2d_png_write(path, &img);
  paper2d_image_destroy(&img);
  return rc;
}
