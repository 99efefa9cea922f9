// src/train/feature_loss.cc - parsing "TEACHER:STUDENT[:WEIGHT]", binding the names to activation
// slots, and the per-batch MSE terms (FeatureMseLoss in loss.h holds the math).
#include "src/train/feature_loss.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "src/train/loss.h"

namespace tinyq::train {
namespace {

// The batched activation slot of `name` in `p`; InvalidArgument naming the model otherwise.
StatusOr<int> ActivationSlot(const TrainProgram& p, const Graph& g, const std::string& name,
                             const std::string& role) {
  const int s = p.FindSlot(name);
  if (s < 0 || !p.slot(s).batched)
    return InvalidArgument(g.Where() + "feature loss: the " + role + " has no float activation '" +
                           name + "'");
  return s;
}

}  // namespace

StatusOr<std::vector<BoundFeatureLoss>> BindFeatureLosses(const std::vector<FeatureLoss>& losses,
                                                          const TrainProgram& student,
                                                          const Graph& student_graph,
                                                          const TrainProgram& teacher,
                                                          const Graph& teacher_graph) {
  std::vector<BoundFeatureLoss> out;
  for (const FeatureLoss& f : losses) {
    BoundFeatureLoss b;
    TQ_ASSIGN_OR_RETURN(b.student_slot,
                        ActivationSlot(student, student_graph, f.student, "student"));
    TQ_ASSIGN_OR_RETURN(b.teacher_slot,
                        ActivationSlot(teacher, teacher_graph, f.teacher, "teacher"));
    const Slot& s = student.slot(b.student_slot);
    const Slot& t = teacher.slot(b.teacher_slot);
    const std::string pair = "feature loss " + f.teacher + ":" + f.student + ": ";
    if (!s.needs_grad)
      return InvalidArgument(student_graph.Where() + pair + "'" + f.student +
                             "' does not depend on any trained weight");
    // Per-sample shapes keep a leading 1: [1, C, ...].
    b.channels = s.shape.size() > 1 ? s.shape[1] : 1;
    b.teacher_channels = t.shape.size() > 1 ? t.shape[1] : 1;
    b.spatial = s.numel / b.channels;
    const bool same_rest =
        s.shape.size() == t.shape.size() &&
        std::equal(s.shape.begin() + std::min<size_t>(2, s.shape.size()), s.shape.end(),
                   t.shape.begin() + std::min<size_t>(2, t.shape.size()));
    if (f.teacher_channels.empty()) {
      if (s.shape != t.shape)
        return InvalidArgument(student_graph.Where() + pair + "student shape " +
                               ShapeToString(s.shape) + " differs from the teacher's " +
                               ShapeToString(t.shape));
    } else {
      if (static_cast<int64_t>(f.teacher_channels.size()) != b.channels || !same_rest)
        return InvalidArgument(student_graph.Where() + pair + "student shape " +
                               ShapeToString(s.shape) + " does not match " +
                               std::to_string(f.teacher_channels.size()) +
                               " selected channels of the teacher's " + ShapeToString(t.shape));
      for (int64_t c : f.teacher_channels)
        if (c < 0 || c >= b.teacher_channels)
          return InvalidArgument(teacher_graph.Where() + pair + "channel " + std::to_string(c) +
                                 " outside [0, " + std::to_string(b.teacher_channels) + ")");
      b.index = f.teacher_channels;
    }
    if (!(f.weight >= 0.0f) || !std::isfinite(f.weight))
      return InvalidArgument(pair + "the weight must be a finite number >= 0");
    b.weight = f.weight;
    out.push_back(std::move(b));
  }
  return out;
}

double AddFeatureLosses(std::vector<BoundFeatureLoss>* losses, TrainProgram& student,
                        TrainProgram& teacher, int64_t batch, std::vector<GradSeed>* seeds) {
  double total = 0.0;
  for (BoundFeatureLoss& f : *losses) {
    f.grad.resize(static_cast<size_t>(batch * f.channels * f.spatial));
    total += FeatureMseLoss(student.SlotData(f.student_slot), teacher.SlotData(f.teacher_slot),
                            batch, f.channels, f.spatial, f.teacher_channels,
                            f.index.empty() ? nullptr : f.index.data(), f.weight, f.grad.data());
    seeds->push_back({f.student_slot, f.grad.data()});
  }
  return total;
}

}  // namespace tinyq::train

namespace tinyq {

StatusOr<FeatureLoss> ParseFeatureLoss(const std::string& spec) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t colon; (colon = spec.find(':', start)) != std::string::npos; start = colon + 1)
    parts.push_back(spec.substr(start, colon - start));
  parts.push_back(spec.substr(start));
  const std::string what = "feature loss '" + spec + "': ";
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    return InvalidArgument(what + "expected TEACHER_TENSOR:STUDENT_TENSOR[:WEIGHT]");
  FeatureLoss f;
  f.teacher = parts[0];
  f.student = parts[1];
  if (parts.size() == 3) {
    try {
      size_t used = 0;
      f.weight = std::stof(parts[2], &used);
      if (used != parts[2].size()) throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
      return InvalidArgument(what + "the weight '" + parts[2] + "' is not a number");
    }
    if (!(f.weight >= 0.0f) || !std::isfinite(f.weight))
      return InvalidArgument(what + "the weight must be a finite number >= 0");
  }
  return f;
}

}  // namespace tinyq
