// src/train/matrix_map.h - row-major Eigen views over the trainer's float buffers.
#ifndef TINYQ_SRC_TRAIN_MATRIX_MAP_H_
#define TINYQ_SRC_TRAIN_MATRIX_MAP_H_

#include <Eigen/Core>

namespace tinyq::train {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapMat = Eigen::Map<RowMat>;
using ConstMapMat = Eigen::Map<const RowMat>;
// A contiguous float vector as an array (vectorized reductions: sum(), square(), ...).
using ConstMapArr = Eigen::Map<const Eigen::ArrayXf>;

}  // namespace tinyq::train

#endif  // TINYQ_SRC_TRAIN_MATRIX_MAP_H_
