// A byte-at-a-time recogniser for one RFC 8259 JSON object: the pushdown automaton behind
// JSON-constrained sampling. It accepts exactly the prefixes of the documents it allows, so text
// it has accepted can always be finished.
#pragma once

#include <cstdint>
#include <string_view>

namespace tektra::llm {

// Reads the text of a JSON document whose top level is an object, one byte at a time, and says
// whether the text so far can still become one. Beyond RFC 8259 it holds to what strict parsers
// (nlohmann, serde_json) accept: strings valid UTF-8 (no overlong forms or surrogates), \u
// escapes that pair surrogates, and numbers below 1e308 in magnitude, which a double holds (RFC
// 8259 section 6 lets implementations limit range). It bounds nesting and runs of whitespace so a
// model cannot stall in either. Nothing may follow the closing brace.
//
// A plain value of a few bytes: copying it is how a candidate is tried without committing.
class JsonAcceptor {
 public:
  static constexpr int kMaxDepth = 32;       // objects and arrays open at once
  static constexpr int kMaxWhitespace = 16;  // consecutive whitespace bytes between tokens

  // Takes one more byte. False when no valid document starts with the text so far plus `byte`;
  // the acceptor is then failed and refuses every later byte.
  bool push(uint8_t byte);
  // Takes each byte in turn; false as soon as one is refused.
  bool push(std::string_view bytes) {
    for (const char c : bytes)
      if (!push(static_cast<uint8_t>(c))) return false;
    return true;
  }
  // Whether push(bytes) would succeed, leaving this acceptor as it is.
  bool accepts(std::string_view bytes) const {
    JsonAcceptor copy = *this;
    return copy.push(bytes);
  }

  bool complete() const { return state_ == State::Done; }  // the object has been closed
  bool failed() const { return state_ == State::Failed; }
  // Inside a string between characters: where a token of plain text leaves the state as it was.
  bool in_string() const { return state_ == State::String; }
  int depth() const { return depth_; }  // objects and arrays open

 private:
  enum class State : uint8_t {
    Start,           // before the top-level object
    ObjectOpen,      // after '{': a key or '}'
    ObjectKey,       // after ',' in an object: a key
    Colon,           // after a key
    ArrayOpen,       // after '[': a value or ']'
    Value,           // after ':' or ',' in an array
    AfterValue,      // after a value inside a container: ',' or the closer
    String,          // inside a string
    Escape,          // after '\' in a string
    Hex,             // in the four digits of \uXXXX
    LowBackslash,    // after a high surrogate escape: the '\' of its low half
    LowU,            // the 'u' of the low half
    Utf8,            // inside a multi-byte UTF-8 character
    Literal,         // inside true, false or null
    Minus,           // after a number's '-'
    Zero,            // after a leading 0
    Integer,         // in the digits of the integer part
    Dot,             // after '.'
    Fraction,        // in the fraction digits
    Exponent,        // after 'e' or 'E'
    ExponentSign,    // after the exponent's sign
    ExponentDigits,  // in the exponent's digits
    Done,            // the object is complete
    Failed,          // a byte was refused
  };
  // Bits of flags_.
  static constexpr uint8_t kHexFirstD = 1;          // the first digit was D: U+D000..U+DFFF so far
  static constexpr uint8_t kHexHigh = 2;            // the unit is a high surrogate
  static constexpr uint8_t kHexLowHalf = 4;         // this is the low half of a pair
  static constexpr uint8_t kStringIsKey = 8;        // the string being read is an object's key
  static constexpr uint8_t kNegativeExponent = 16;  // in a number: its exponent is negative
  static constexpr int kMaxDecimalExponent = 308;   // integer digits + exponent: below 1e308

  bool fail() {
    state_ = State::Failed;
    return false;
  }
  bool whitespace();
  bool value_start(uint8_t c);
  bool open(State state, bool array);
  bool close(bool array);
  bool after_value(uint8_t c);
  bool string_byte(uint8_t c);
  bool hex_digit(uint8_t c);
  bool end_value();  // a string, number or literal ended: AfterValue
  bool integer_digit();
  bool exponent_digit(uint8_t c);

  State state_ = State::Start;
  uint8_t depth_ = 0;
  uint8_t whitespace_ = 0;   // consecutive whitespace bytes just read
  uint8_t count_ = 0;        // Hex: digits read; Utf8: bytes to come; Literal: bytes matched
  uint8_t flags_ = 0;        // kHex* and kStringIsKey in strings, kNegativeExponent in numbers
  uint8_t lo_ = 0, hi_ = 0;  // Utf8: the range of the next byte; Literal: which word (lo_)
  uint16_t digits_ = 0;      // numbers: digits of the integer part, without a leading zero
  uint16_t exponent_ = 0;    // numbers: the exponent so far (0 while it is negative)
  uint32_t arrays_ = 0;      // bit d: the container at depth d + 1 is an array
};

}  // namespace tektra::llm
