"""The image request settings (every parameter of the current Images API) as a form."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from workbench.core.api.records import ImageParams

MODELS = ("gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2", "dall-e-3", "dall-e-2")
SIZES = ("auto", "1024x1024", "1536x1024", "1024x1536")
QUALITIES = ("auto", "low", "medium", "high")
MODERATION = ("auto", "low")
FORMATS = ("png", "jpeg", "webp")
BACKGROUNDS = ("auto", "opaque", "transparent")

LOW_MODERATION_WARNING = (
    "“low” only relaxes the filter threshold. Blocks still happen, your organisation remains "
    "responsible for what is generated, and output-stage blocks are rarely affected."
)


def _combo(values, editable: bool = False) -> QComboBox:
    combo = QComboBox()
    combo.addItems(list(values))
    combo.setEditable(editable)
    if editable:
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    return combo


class ParamsForm(QWidget):
    """Signals:
        changed(): any setting changed (the cost estimate follows).
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = _combo(MODELS, editable=True)
        self.model.setToolTip("Any model name the provider accepts")
        self.size = _combo(SIZES, editable=True)
        self.size.setToolTip("WIDTHxHEIGHT; gpt-image-2 also takes custom sizes (multiples of 16)")
        self.quality = _combo(QUALITIES)
        self.n = QSpinBox()
        self.n.setRange(1, 10)
        self.moderation = _combo(MODERATION)
        self.output_format = _combo(FORMATS)
        self.compression = QSpinBox()
        self.compression.setRange(0, 100)
        self.compression.setValue(100)
        self.compression.setSuffix(" %")
        self.background = _combo(BACKGROUNDS)
        self.partial_images = QSpinBox()
        self.partial_images.setRange(0, 3)
        self.partial_images.setToolTip("Stream up to 3 partial previews while the image is made")

        self.low_warning = QFrame()
        self.low_warning.setObjectName("warningStrip")
        warning_layout = QHBoxLayout(self.low_warning)
        warning_layout.setContentsMargins(6, 3, 6, 3)
        warning_label = QLabel("⚠ " + LOW_MODERATION_WARNING)
        warning_label.setTextFormat(Qt.TextFormat.PlainText)
        warning_label.setWordWrap(True)
        warning_layout.addWidget(warning_label)
        self.low_warning.hide()

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        rows = (
            ("Model", self.model, None, None),
            ("Size", self.size, "Quality", self.quality),
            ("n", self.n, "Moderation", self.moderation),
            ("Format", self.output_format, "Compression", self.compression),
            ("Background", self.background, "Previews", self.partial_images),
        )
        for row, (label1, field1, label2, field2) in enumerate(rows):
            grid.addWidget(QLabel(label1), row, 0)
            if label2 is None:
                grid.addWidget(field1, row, 1, 1, 3)
                continue
            grid.addWidget(field1, row, 1)
            grid.addWidget(QLabel(label2), row, 2)
            grid.addWidget(field2, row, 3)
        grid.addWidget(self.low_warning, len(rows), 0, 1, 4)
        for widget in (self.size, self.quality, self.moderation, self.output_format, self.background):
            widget.setMinimumContentsLength(6)
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)

        for combo in (self.model, self.size, self.quality, self.moderation, self.output_format, self.background):
            combo.currentTextChanged.connect(self._on_changed)
        for spin in (self.n, self.compression, self.partial_images):
            spin.valueChanged.connect(self._on_changed)
        self._on_changed()

    def _on_changed(self, *_args) -> None:
        self.low_warning.setVisible(self.moderation.currentText() == "low")
        self.compression.setEnabled(self.output_format.currentText() in ("jpeg", "webp"))
        self.changed.emit()

    def params(self) -> ImageParams:
        """The settings as `ImageParams`; provider defaults are not sent."""
        fmt = self.output_format.currentText()
        return ImageParams(
            model=self.model.currentText().strip(),
            size=self.size.currentText().strip() or None,
            quality=self.quality.currentText(),
            n=self.n.value(),
            moderation=self.moderation.currentText(),
            background=None if self.background.currentText() == "auto" else self.background.currentText(),
            output_format=fmt,
            output_compression=self.compression.value() if fmt in ("jpeg", "webp") else None,
            partial_images=self.partial_images.value() or None,
        )

    def set_params(self, params: dict[str, Any] | ImageParams) -> None:
        """Restore settings from a history entry or a gallery image."""
        if isinstance(params, ImageParams):
            params = params.to_dict()
        _set_combo(self.model, params.get("model"))
        _set_combo(self.size, params.get("size") or "auto")
        _set_combo(self.quality, params.get("quality") or "auto")
        _set_combo(self.moderation, params.get("moderation") or "auto")
        _set_combo(self.output_format, params.get("output_format") or "png")
        _set_combo(self.background, params.get("background") or "auto")
        if isinstance(params.get("n"), int):
            self.n.setValue(params["n"])
        if isinstance(params.get("output_compression"), int):
            self.compression.setValue(params["output_compression"])
        self.partial_images.setValue(params.get("partial_images") or 0)

    def set_default_model(self, model: str) -> None:
        _set_combo(self.model, model)


def _set_combo(combo: QComboBox, value) -> None:
    if value in (None, ""):
        return
    index = combo.findText(str(value))
    if index >= 0:
        combo.setCurrentIndex(index)
    elif combo.isEditable():
        combo.setEditText(str(value))
