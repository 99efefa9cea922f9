// report.html of `tinyq shrink`: the summary, and plots drawn as inline SVG (no scripts, no
// network): per-layer SQNR, the int8 confusion matrix and the memory-plan timeline.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "src/api/shrink_internal.h"

namespace tinyq {
namespace {

std::string Esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

std::string Num(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

// Horizontal bars of SQNR (dB) per quantized tensor, in graph order.
std::string SqnrSvg(const QuantizeReport& q) {
  const int row = 16, label_w = 260, plot_w = 420;
  const int h = row * static_cast<int>(q.layers.size()) + 40;
  double max_db = 10.0;
  for (const auto& l : q.layers) max_db = std::max(max_db, std::min(l.sqnr_db, 80.0));
  std::ostringstream os;
  os << "<svg xmlns='http://www.w3.org/2000/svg' width='" << label_w + plot_w + 60 << "' height='"
     << h << "' font-family='sans-serif' font-size='11'>\n";
  int y = 20;
  for (const auto& l : q.layers) {
    const double db = std::min(l.sqnr_db, 80.0);
    const int w = static_cast<int>(plot_w * std::max(0.0, db) / max_db);
    const char* color = db < 20 ? "#d9534f" : (db < 30 ? "#f0ad4e" : "#5cb85c");
    os << "<text x='" << label_w - 6 << "' y='" << y + 11 << "' text-anchor='end'>"
       << Esc(l.tensor.size() > 40 ? "..." + l.tensor.substr(l.tensor.size() - 37) : l.tensor)
       << "</text><rect x='" << label_w << "' y='" << y + 2 << "' width='" << w << "' height='"
       << row - 4 << "' fill='" << color << "'><title>" << Esc(l.tensor) << " (" << Esc(l.op)
       << "): " << Num(l.sqnr_db, 1) << " dB</title></rect><text x='" << label_w + w + 4
       << "' y='" << y + 11 << "'>" << Num(l.sqnr_db, 1) << "</text>\n";
    y += row;
  }
  os << "<text x='" << label_w << "' y='12'>SQNR dB (int8 vs float, calibration data; red &lt; 20, "
     << "amber &lt; 30)</text>\n</svg>\n";
  return os.str();
}

// Heat map of the int8 confusion matrix (rows: true class, columns: predicted).
std::string ConfusionSvg(const std::vector<std::vector<int64_t>>& m) {
  const int n = static_cast<int>(m.size()), cell = 34, pad = 40;
  int64_t peak = 1;
  for (const auto& r : m)
    for (int64_t v : r) peak = std::max(peak, v);
  std::ostringstream os;
  os << "<svg xmlns='http://www.w3.org/2000/svg' width='" << pad + n * cell + 10 << "' height='"
     << pad + n * cell + 10 << "' font-family='sans-serif' font-size='10'>\n"
     << "<text x='" << pad << "' y='12'>predicted &#8594;</text>"
     << "<text x='4' y='" << pad + 12 << "'>true</text>\n";
  for (int i = 0; i < n; ++i) {
    os << "<text x='" << pad + i * cell + cell / 2 << "' y='" << pad - 6
       << "' text-anchor='middle'>" << i << "</text><text x='" << pad - 6 << "' y='"
       << pad + i * cell + cell / 2 + 4 << "' text-anchor='end'>" << i << "</text>\n";
    for (int j = 0; j < n; ++j) {
      const double t = static_cast<double>(m[i][j]) / static_cast<double>(peak);
      const int shade = 255 - static_cast<int>(200 * t);
      os << "<rect x='" << pad + j * cell << "' y='" << pad + i * cell << "' width='" << cell
         << "' height='" << cell << "' fill='rgb(" << shade << "," << shade << ",255)'/>"
         << "<text x='" << pad + j * cell + cell / 2 << "' y='" << pad + i * cell + cell / 2 + 4
         << "' text-anchor='middle'>" << m[i][j] << "</text>\n";
    }
  }
  os << "</svg>\n";
  return os.str();
}

// The arena over time: one rectangle per buffer, x = execution steps it lives, y = its bytes in
// the arena.
std::string TimelineSvg(const MemoryPlanSummary& plan) {
  if (plan.buffers.empty() || plan.arena_bytes <= 0) return "";
  int steps = 1;
  for (const auto& b : plan.buffers) steps = std::max(steps, b.last_step + 1);
  const int w = 640, h = 260, left = 60, top = 20;
  const double xs = static_cast<double>(w) / steps;
  const double ys = static_cast<double>(h) / static_cast<double>(plan.arena_bytes);
  std::ostringstream os;
  os << "<svg xmlns='http://www.w3.org/2000/svg' width='" << left + w + 20 << "' height='"
     << top + h + 40 << "' font-family='sans-serif' font-size='10'>\n"
     << "<rect x='" << left << "' y='" << top << "' width='" << w << "' height='" << h
     << "' fill='none' stroke='#999'/>\n";
  static const char* kColors[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
                                  "#59a14f", "#edc948", "#b07aa1", "#ff9da7"};
  int k = 0;
  for (const auto& b : plan.buffers) {
    if (!b.alias_of.empty()) continue;  // in-place buffers share their owner's rectangle
    os << "<rect x='" << left + b.first_step * xs << "' y='"
       << top + static_cast<double>(b.offset) * ys << "' width='"
       << std::max(1.0, (b.last_step - b.first_step + 1) * xs) << "' height='"
       << std::max(1.0, static_cast<double>(b.bytes) * ys) << "' fill='" << kColors[k++ % 8]
       << "' fill-opacity='0.8' stroke='white'><title>" << Esc(b.name) << ": " << b.bytes
       << " bytes at offset " << b.offset << ", steps " << b.first_step << "-" << b.last_step
       << "</title></rect>\n";
  }
  os << "<text x='" << left << "' y='" << top + h + 16 << "'>execution step &#8594; (" << steps
     << " steps)</text><text x='4' y='" << top + 10 << "'>0</text><text x='4' y='" << top + h
     << "'>" << plan.arena_bytes << " B</text>\n</svg>\n";
  return os.str();
}

}  // namespace

std::string ShrinkReportHtml(const ShrinkRun& run, const std::string& summary) {
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>tinyq shrink: "
     << Esc(run.name) << "</title>\n<style>body{font-family:sans-serif;max-width:960px;margin:2em "
     << "auto}pre{background:#f6f8fa;padding:1em}table{border-collapse:collapse}td,th{border:1px "
     << "solid #ccc;padding:2px 6px;font-size:12px}</style></head><body>\n"
     << "<h1>tinyq shrink: " << Esc(run.name) << "</h1>\n<pre>" << Esc(summary) << "</pre>\n";
  os << "<h2>Per-layer quantization error</h2>\n" << SqnrSvg(run.quantized.report);
  const auto confusion = ConfusionMatrix(run.int8_eval, run.data);
  if (!confusion.empty()) os << "<h2>int8 confusion matrix</h2>\n" << ConfusionSvg(confusion);
  const std::string timeline = TimelineSvg(run.c_export.plan);
  if (!timeline.empty())
    os << "<h2>Memory plan: the arena over time (" << run.c_export.arena_bytes
       << " bytes, lower bound " << run.c_export.lower_bound_bytes << ")</h2>\n" << timeline;
  os << "<h2>Per-layer table</h2>\n<table><tr><th>tensor</th><th>op</th><th>SQNR dB</th>"
     << "<th>cosine</th><th>max |error|</th></tr>\n";
  for (const auto& l : run.quantized.report.layers)
    os << "<tr><td>" << Esc(l.tensor) << "</td><td>" << Esc(l.op) << "</td><td>"
       << Num(l.sqnr_db, 1) << "</td><td>" << Num(l.cosine, 5) << "</td><td>"
       << Num(l.max_abs_error, 4) << "</td></tr>\n";
  os << "</table>\n</body></html>\n";
  return os.str();
}

}  // namespace tinyq
