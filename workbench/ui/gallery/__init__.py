"""Results of generation requests: thumbnails, zoom, save, copy, compare, restore."""

from workbench.ui.gallery.model import GalleryItem, GalleryModel
from workbench.ui.gallery.panel import GalleryPanel

__all__ = ["GalleryItem", "GalleryModel", "GalleryPanel"]
