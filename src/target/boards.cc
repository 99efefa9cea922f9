// Built-in board profiles and their rendering.
//
// Figures: flash and RAM are the MCU's (or, for the RP2040 and ESP32-S3, the board's program flash)
// as given in the named datasheet or board manual. Active power is the MCU's typical run-mode
// current at the listed clock, with the CPU executing from flash and peripherals off, times the
// datasheet's test supply voltage; board-level power (regulators, LEDs, sensors, radios) is higher.
// The figures were entered from the named documents; check them against your exact configuration.
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tinyq/target.h"

namespace tinyq {

const std::vector<std::string>& BuildableCores() {
  static const std::vector<std::string> cores = {"cortex-m0plus", "cortex-m4", "cortex-m7",
                                                 "cortex-m33"};
  return cores;
}

namespace {
constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * 1024;
constexpr double kMHz = 1e6;
}  // namespace

const std::vector<BoardProfile>& BuiltinBoards() {
  static const std::vector<BoardProfile> boards = {
      // nRF52840 Product Specification v1.7: 1 MB flash, 256 KB RAM, Cortex-M4F 64 MHz;
      // CPU running CoreMark from flash, cache on, DC/DC, 3 V: 3.3 mA.
      {"nano33ble", "Arduino Nano 33 BLE Sense", "nRF52840", "cortex-m4", "cortex-m4", 64 * kMHz,
       1 * kMiB, 256 * kKiB, 3.3 * 3.0,
       "nRF52840 Product Specification v1.7 (I_CPU from flash, DC/DC, 3.3 mA @ 3 V)"},
      // STM32L4R5xx datasheet (DS12023): 2 MB flash, 640 KB SRAM, Cortex-M4F 120 MHz;
      // run mode ~110 uA/MHz (range 1 boost) at 3.3 V -> 13.2 mA.
      {"nucleo_l4r5zi", "STM32 NUCLEO-L4R5ZI (MLPerf Tiny reference)", "STM32L4R5ZI", "cortex-m4",
       "cortex-m4", 120 * kMHz, 2 * kMiB, 640 * kKiB, 13.2 * 3.3,
       "STM32L4R5xx datasheet DS12023 (run mode ~110 uA/MHz, 120 MHz, 3.3 V)"},
      // STM32F745xx/746xx datasheet (DS10916): 1 MB flash, 320 KB SRAM, Cortex-M7 216 MHz;
      // run mode from flash (ART + cache), peripherals off, ~102 mA at 3.3 V.
      {"stm32f746_disco", "STM32F746G-DISCO", "STM32F746NG", "cortex-m7", "cortex-m7", 216 * kMHz,
       1 * kMiB, 320 * kKiB, 102.0 * 3.3,
       "STM32F746xx datasheet DS10916 (run mode 216 MHz, peripherals off, ~102 mA @ 3.3 V)"},
      // STM32H7A3xI datasheet (DS13195): 2 MB flash, 1.4 MB SRAM (incl. 192 KB TCM),
      // Cortex-M7 280 MHz; run mode ~120 uA/MHz at 3.3 V -> 33.6 mA.
      {"nucleo_h7a3zi", "STM32 NUCLEO-H7A3ZI-Q", "STM32H7A3ZI", "cortex-m7", "cortex-m7",
       280 * kMHz, 2 * kMiB, 1376 * kKiB, 33.6 * 3.3,
       "STM32H7A3xI/G datasheet DS13195 (run mode ~120 uA/MHz, 280 MHz, 3.3 V)"},
      // Raspberry Pi Pico datasheet + RP2040 datasheet: 2 MB QSPI flash on board, 264 KB SRAM,
      // dual Cortex-M0+ at 133 MHz (one core used); ~25 mA at 3.3 V while computing.
      {"pico", "Raspberry Pi Pico", "RP2040", "cortex-m0plus", "cortex-m0plus", 133 * kMHz,
       2 * kMiB, 264 * kKiB, 25.0 * 3.3,
       "Raspberry Pi Pico datasheet, RP2040 datasheet (~25 mA @ 3.3 V, one core busy)"},
      // ESP32-S3 Series datasheet: ESP32-S3-DevKitC-1-N8 (8 MB flash), 512 KB SRAM, Xtensa LX7
      // 240 MHz. Not buildable here: sizes and instructions come from a Cortex-M4 proxy build.
      {"esp32s3", "ESP32-S3-DevKitC-1 (N8)", "ESP32-S3", "xtensa-lx7", "cortex-m4", 240 * kMHz,
       8 * kMiB, 512 * kKiB, 40.0 * 3.3,
       "ESP32-S3 Series datasheet (modem-sleep, one core at 240 MHz, ~40 mA @ 3.3 V); "
       "Xtensa is measured with a Cortex-M4 proxy build"},
      // Apollo3 Blue datasheet: 1 MB flash, 384 KB SRAM, Cortex-M4F 48 MHz (96 MHz burst);
      // 6 uA/MHz executing from flash at 3.3 V -> 0.29 mA.
      {"sparkfun_edge", "SparkFun Edge", "Apollo3 Blue", "cortex-m4", "cortex-m4", 48 * kMHz,
       1 * kMiB, 384 * kKiB, 0.288 * 3.3,
       "Ambiq Apollo3 Blue datasheet (6 uA/MHz from flash, 48 MHz, 3.3 V)"},
      // nRF5340 Product Specification: application core 1 MB flash, 512 KB RAM, Cortex-M33 128
      // MHz; CPU running CoreMark from flash, cache on, 128 MHz, 3 V: ~6.5 mA.
      {"nrf5340", "nRF5340 DK (application core)", "nRF5340", "cortex-m33", "cortex-m33",
       128 * kMHz, 1 * kMiB, 512 * kKiB, 6.5 * 3.0,
       "nRF5340 Product Specification (application core from flash, 128 MHz, ~6.5 mA @ 3 V)"},
      // SAM D21 family datasheet: SAMD21G18A 256 KB flash, 32 KB SRAM, Cortex-M0+ 48 MHz;
      // active mode, CPU running from flash, ~3.5 mA at 3.3 V.
      {"samd21", "Arduino Zero (SAMD21G18A)", "ATSAMD21G18A", "cortex-m0plus", "cortex-m0plus",
       48 * kMHz, 256 * kKiB, 32 * kKiB, 3.5 * 3.3,
       "SAM D21 family datasheet (active, CPU from flash, 48 MHz, ~3.5 mA @ 3.3 V)"},
      // STM32L072x8/xB/xZ datasheet (DocID027100): STM32L072CZ 192 KB flash, 20 KB RAM,
      // Cortex-M0+ 32 MHz (in the Murata CMWX1ZZABZ module of the B-L072Z-LRWAN1 kit); front
      // page "down to 93 uA/MHz in Run mode" x 32 MHz at 3.0 V: 3.0 mA, a lower bound.
      {"b_l072z_lrwan1", "ST B-L072Z-LRWAN1 (LoRa Discovery kit)", "STM32L072CZ", "cortex-m0plus",
       "cortex-m0plus", 32 * kMHz, 192 * kKiB, 20 * kKiB, 0.093 * 32 * 3.0,
       "STM32L072xx datasheet DocID027100 (192 KB flash, 20 KB RAM; run mode 'down to "
       "93 uA/MHz' at 32 MHz, 3.0 V: a lower bound)"},
  };
  return boards;
}

StatusOr<BoardProfile> FindBoard(const std::string& id) {
  std::string known;
  for (const BoardProfile& b : BuiltinBoards()) {
    if (b.id == id) return b;
    known += (known.empty() ? "" : ", ") + b.id;
  }
  return NotFound("unknown board '" + id + "' (known: " + known +
                  "; or pass --profile P.json, see `tinyq targets`)");
}

namespace {
nlohmann::ordered_json BoardJson(const BoardProfile& b) {
  nlohmann::ordered_json j;
  j["id"] = b.id;
  j["name"] = b.name;
  j["mcu"] = b.mcu;
  j["core"] = b.core;
  j["build_core"] = b.build_core;
  j["proxy_core"] = b.build_core != b.core;
  j["clock_hz"] = b.clock_hz;
  j["flash_bytes"] = b.flash_bytes;
  j["ram_bytes"] = b.ram_bytes;
  j["active_power_mw"] = b.active_power_mw;
  j["source"] = b.source;
  return j;
}

std::string Kib(int64_t bytes) {
  std::ostringstream os;
  os << bytes / 1024 << " KiB";
  return os.str();
}
}  // namespace

std::string BoardsToJson(const std::vector<BoardProfile>& boards) {
  nlohmann::ordered_json j;
  j["format"] = "tinyq.targets";
  j["version"] = 1;
  j["boards"] = nlohmann::ordered_json::array();
  for (const BoardProfile& b : boards) j["boards"].push_back(BoardJson(b));
  return j.dump(2);
}

std::string BoardsToText(const std::vector<BoardProfile>& boards) {
  std::ostringstream os;
  os << std::left << std::setw(16) << "id" << std::setw(14) << "core" << std::right << std::setw(9)
     << "clock" << std::setw(11) << "flash" << std::setw(11) << "RAM" << std::setw(10) << "power"
     << "  name\n";
  for (const BoardProfile& b : boards) {
    std::ostringstream clock, power;
    clock << b.clock_hz / kMHz << " MHz";
    power << std::fixed << std::setprecision(1) << b.active_power_mw << " mW";
    std::string core = b.core + (b.build_core != b.core ? "*" : "");
    os << std::left << std::setw(16) << b.id << std::setw(14) << core << std::right << std::setw(9)
       << clock.str() << std::setw(11) << Kib(b.flash_bytes) << std::setw(11) << Kib(b.ram_bytes)
       << std::setw(10) << power.str() << "  " << b.name << " (" << b.mcu << ")\n";
  }
  os << "\n* not buildable here: budgets build for a proxy core (esp32s3: cortex-m4) and say so.\n"
        "power: MCU run-mode figure from the datasheet named in `tinyq targets --json` (source).\n";
  return os.str();
}

}  // namespace tinyq
