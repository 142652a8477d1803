"""Synthetic data generators: shapes, determinism, and the structure they promise."""

from __future__ import annotations

import numpy as np
import pytest

from nnadvisor.reference import data as D


def test_blobs() -> None:
    d = D.blobs(100, 50, 0, n_classes=5, n_features=3)
    assert d.x_train.shape == (100, 3) and d.y_test.shape == (50, 5)
    assert d.x_train.dtype == np.float64
    np.testing.assert_array_equal(d.y_train.sum(axis=1), 1.0)
    counts = np.bincount(D.labels(np.vstack([d.y_train, d.y_test])), minlength=5)
    assert counts.tolist() == [30] * 5
    again = D.blobs(100, 50, np.random.default_rng(0), n_classes=5, n_features=3)
    np.testing.assert_array_equal(again.x_test, d.x_test)
    assert not np.array_equal(D.blobs(100, 50, 1, n_classes=5, n_features=3).x_train, d.x_train)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_teacher_classification(kind: str) -> None:
    d = D.teacher_classification(500, 100, 0, kind=kind, n_outputs=4)  # type: ignore[arg-type]
    width = 1 if kind == "binary" else 4
    assert d.y_train.shape == (500, width) and d.x_train.shape == (500, 20)
    assert set(np.unique(d.y_train)) <= {0.0, 1.0}
    if kind == "multiclass":
        np.testing.assert_array_equal(d.y_train.sum(axis=1), 1.0)
    else:
        # balanced by construction (thresholded at the median over train+test)
        assert np.all(np.abs(np.vstack([d.y_train, d.y_test]).mean(axis=0) - 0.5) < 0.01)
    if kind == "multilabel":
        assert np.any(d.y_train.sum(axis=1) >= 2)


def test_teacher_label_noise_touches_only_training_labels() -> None:
    clean = D.teacher_classification(400, 100, 5, kind="binary")
    noisy = D.teacher_classification(400, 100, 5, kind="binary", label_noise=0.2)
    np.testing.assert_array_equal(clean.x_train, noisy.x_train)
    np.testing.assert_array_equal(clean.y_test, noisy.y_test)
    flipped = float(np.mean(clean.y_train != noisy.y_train))
    assert 0.12 < flipped < 0.28


def test_regression_with_outliers() -> None:
    d = D.regression_with_outliers(200, 100, 0, outlier_fraction=0.15, outlier_size=50.0)
    assert isinstance(d, D.RegressionDataset)
    assert int(d.outlier_mask.sum()) == 30
    shift = d.y_train - d.y_train_clean
    np.testing.assert_array_equal(shift[d.outlier_mask], 50.0)
    np.testing.assert_array_equal(shift[~d.outlier_mask], 0.0)
    # the mse-optimal constant shift is about fraction * size
    assert float(np.mean(shift)) == pytest.approx(0.15 * 50.0)
    with pytest.raises(ValueError):
        D.regression_with_outliers(10, 10, 0, outlier_fraction=1.0)


def test_adding_problem() -> None:
    d = D.adding_problem(300, 10, 0, length=12)
    x, y = d.x_train, d.y_train
    assert x.shape == (300, 12, 2) and y.shape == (300, 1)
    markers = x[:, :, 1]
    np.testing.assert_array_equal(markers.sum(axis=1), 2.0)
    np.testing.assert_array_equal(markers[:, :6].sum(axis=1), 1.0)
    np.testing.assert_allclose(y[:, 0], np.sum(x[:, :, 0] * markers, axis=1))
    # the constant predictor 1.0 has mse about 1/6
    assert float(np.mean((y - 1.0) ** 2)) == pytest.approx(1 / 6, abs=0.03)
