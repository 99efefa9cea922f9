// Renderings of a CheckSummary: terminal lines, JUnit XML, Markdown and JSON.
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tinyq/report.h"

namespace tinyq {
namespace {

std::string Num(double v, const std::string& unit) {
  if (std::isinf(v)) return "inf";
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(unit == "bytes" ? 0 : 2);
  os << v;
  return os.str() + (unit == "bytes" ? "" : (unit == "%" ? "%" : (unit == "pt" ? " pt" : "")));
}

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string MdEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string Line(const CheckResult& c) {
  if (c.skipped) return "SKIP  " + c.name + ": " + c.detail;
  return std::string(c.passed ? "PASS" : "FAIL") + "  " + c.name + ": " + Num(c.value, c.unit) +
         " (limit " + Num(c.limit, c.unit) + "; " + c.detail + ")";
}

const char* Verdict(const CheckResult& c) {
  if (c.skipped) return "⏭️ skipped";
  return c.passed ? "✅ pass" : "❌ **fail**";
}

// "3 checks, 1 failed" (+ ", 1 skipped").
std::string Counts(const CheckSummary& s) {
  const int ran = static_cast<int>(s.checks.size()) - s.skipped();
  std::string out = std::to_string(ran) + (ran == 1 ? " check, " : " checks, ") +
                    std::to_string(s.failures()) + " failed";
  if (s.skipped()) out += ", " + std::to_string(s.skipped()) + " skipped";
  return out;
}

}  // namespace

std::string CheckToText(const CheckSummary& s) {
  std::ostringstream os;
  for (const auto& c : s.checks) os << Line(c) << "\n";
  os << (s.passed() ? "tinyq check: passed" : "tinyq check: FAILED") << " (" << Counts(s) << ")\n";
  return os.str();
}

std::string CheckToJUnit(const CheckSummary& s) {
  std::ostringstream os;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
     << "<testsuites name=\"tinyq check\" tests=\"" << s.checks.size() << "\" failures=\""
     << s.failures() << "\">\n"
     << "  <testsuite name=\"" << XmlEscape(s.report_path) << "\" tests=\"" << s.checks.size()
     << "\" failures=\"" << s.failures() << "\" errors=\"0\" skipped=\"" << s.skipped() << "\">\n";
  for (const auto& c : s.checks) {
    os << "    <testcase classname=\"tinyq.check\" name=\"" << XmlEscape(c.name) << "\"";
    if (c.skipped) {
      os << ">\n      <skipped message=\"" << XmlEscape(c.detail) << "\"/>\n    </testcase>\n";
    } else if (c.passed) {
      os << "/>\n";
    } else {
      os << ">\n      <failure message=\"" << XmlEscape(Line(c)) << "\">" << XmlEscape(c.detail)
         << "</failure>\n    </testcase>\n";
    }
  }
  os << "  </testsuite>\n</testsuites>\n";
  return os.str();
}

std::string CheckToMarkdown(const CheckSummary& s) {
  std::ostringstream os;
  os << "### tinyq check: " << (s.passed() ? "✅ passed" : "❌ failed") << "\n\n"
     << "Report `" << MdEscape(s.report_path) << "`";
  if (!s.baseline_path.empty()) os << " against baseline `" << MdEscape(s.baseline_path) << "`";
  os << "; " << Counts(s) << ".\n\n"
     << "| check | value | limit | result | details |\n|---|---|---|---|---|\n";
  for (const auto& c : s.checks) {
    os << "| " << MdEscape(c.name) << " | " << (c.skipped ? "–" : Num(c.value, c.unit)) << " | "
       << Num(c.limit, c.unit) << " | " << Verdict(c) << " | " << MdEscape(c.detail) << " |\n";
  }
  return os.str();
}

std::string CheckToJson(const CheckSummary& s) {
  nlohmann::json j;
  j["passed"] = s.passed();
  j["failures"] = s.failures();
  j["skipped"] = s.skipped();
  j["report"] = s.report_path;
  if (!s.baseline_path.empty()) j["baseline"] = s.baseline_path;
  j["checks"] = nlohmann::json::array();
  for (const auto& c : s.checks) {
    nlohmann::json cj = {
        {"name", c.name},     {"limit", c.limit},
        {"unit", c.unit},     {"passed", c.passed},
        {"detail", c.detail}, {"result", c.skipped ? "skip" : c.passed ? "pass" : "fail"}};
    cj["value"] =
        std::isinf(c.value) || c.skipped ? nlohmann::json(nullptr) : nlohmann::json(c.value);
    j["checks"].push_back(cj);
  }
  return j.dump(2);
}

}  // namespace tinyq
