// The CAPTCHA picture's size, in CSS pixels for the page and in device pixels for drawing.

/** Width of the picture in CSS pixels (the `width` attribute of the `<img>`). */
export const CAPTCHA_IMAGE_CSS_WIDTH = 240;
/** Height of the picture in CSS pixels (the `height` attribute of the `<img>`). */
export const CAPTCHA_IMAGE_CSS_HEIGHT = 80;
/** Device pixels per CSS pixel, so the picture stays sharp on high-density screens. */
export const CAPTCHA_IMAGE_SCALE = 2;
/** Width of the picture in device pixels. */
export const CAPTCHA_IMAGE_WIDTH = CAPTCHA_IMAGE_CSS_WIDTH * CAPTCHA_IMAGE_SCALE;
/** Height of the picture in device pixels. */
export const CAPTCHA_IMAGE_HEIGHT = CAPTCHA_IMAGE_CSS_HEIGHT * CAPTCHA_IMAGE_SCALE;
