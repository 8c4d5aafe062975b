// JsonAcceptor: RFC 8259's grammar as a state machine with a bit stack of open containers.
#include "llm/json_acceptor.h"

namespace tektra::llm {
namespace {

constexpr std::string_view kLiterals[] = {"true", "false", "null"};

bool is_whitespace(uint8_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(uint8_t c) {
  return c >= '0' && c <= '9';
}
int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool JsonAcceptor::whitespace() {
  if (whitespace_ >= kMaxWhitespace) return fail();
  ++whitespace_;
  return true;
}

bool JsonAcceptor::open(State state, bool array) {
  if (depth_ >= kMaxDepth) return fail();
  if (array)
    arrays_ |= 1u << depth_;
  else
    arrays_ &= ~(1u << depth_);
  ++depth_;
  state_ = state;
  return true;
}

bool JsonAcceptor::close(bool array) {
  if (depth_ == 0 || ((arrays_ >> (depth_ - 1)) & 1u) != static_cast<uint32_t>(array))
    return fail();
  --depth_;
  state_ = depth_ == 0 ? State::Done : State::AfterValue;
  return true;
}

bool JsonAcceptor::end_value() {
  state_ = State::AfterValue;
  return true;
}

bool JsonAcceptor::integer_digit() {
  if (++digits_ > kMaxDecimalExponent) return fail();
  state_ = State::Integer;
  return true;
}

// A digit of the exponent; a positive one may not take the number to 1e308 or beyond.
bool JsonAcceptor::exponent_digit(uint8_t c) {
  state_ = State::ExponentDigits;
  if (flags_ & kNegativeExponent) return true;
  exponent_ = static_cast<uint16_t>(exponent_ * 10 + (c - '0'));
  if (digits_ + exponent_ > kMaxDecimalExponent) return fail();
  return true;
}

bool JsonAcceptor::value_start(uint8_t c) {
  switch (c) {
    case '{':
      return open(State::ObjectOpen, false);
    case '[':
      return open(State::ArrayOpen, true);
    case '"':
      state_ = State::String;
      flags_ = 0;
      return true;
    case '-':
      state_ = State::Minus;
      digits_ = exponent_ = flags_ = 0;
      return true;
    case '0':
      state_ = State::Zero;
      digits_ = exponent_ = flags_ = 0;
      return true;
    case 't':
    case 'f':
    case 'n':
      state_ = State::Literal;
      lo_ = c == 't' ? 0 : c == 'f' ? 1 : 2;
      count_ = 1;
      return true;
    default:
      if (c >= '1' && c <= '9') {
        digits_ = exponent_ = flags_ = 0;
        return integer_digit();
      }
      return fail();
  }
}

// After a value inside a container (or the byte that ended a number).
bool JsonAcceptor::after_value(uint8_t c) {
  state_ = State::AfterValue;
  if (is_whitespace(c)) return whitespace();
  if (depth_ == 0) return fail();
  const bool array = (arrays_ >> (depth_ - 1)) & 1u;
  if (c == ',') {
    state_ = array ? State::Value : State::ObjectKey;
    return true;
  }
  if (c == '}' || c == ']') return close(c == ']');
  return fail();
}

bool JsonAcceptor::string_byte(uint8_t c) {
  if (c == '"') {
    state_ = (flags_ & kStringIsKey) ? State::Colon : State::AfterValue;
    return true;
  }
  if (c == '\\') {
    state_ = State::Escape;
    return true;
  }
  if (c < 0x20) return fail();  // control characters must be escaped
  if (c < 0x80) return true;
  // The first byte of a multi-byte character, with the range its second byte must fall in to be
  // neither overlong, a surrogate nor beyond U+10FFFF (Unicode's table 3-7).
  lo_ = 0x80;
  hi_ = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    count_ = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    count_ = 2;
    if (c == 0xE0) lo_ = 0xA0;
    if (c == 0xED) hi_ = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    count_ = 3;
    if (c == 0xF0) lo_ = 0x90;
    if (c == 0xF4) hi_ = 0x8F;
  } else {
    return fail();
  }
  state_ = State::Utf8;
  return true;
}

// A digit of \uXXXX. Surrogates are checked as the digits come, so every accepted prefix can
// still be finished: D800-DBFF must be followed by \uDC00-\uDFFF, and DC00-DFFF may not stand
// alone.
bool JsonAcceptor::hex_digit(uint8_t c) {
  const int v = hex_value(c);
  if (v < 0) return fail();
  const bool low_half = flags_ & kHexLowHalf;
  if (count_ == 0) {
    if (low_half && v != 0xD) return fail();
    if (v == 0xD) flags_ |= kHexFirstD;
  } else if (count_ == 1 && (flags_ & kHexFirstD)) {
    if (low_half) {
      if (v < 0xC) return fail();
    } else if (v >= 0xC) {
      return fail();  // a lone low surrogate
    } else if (v >= 0x8) {
      flags_ |= kHexHigh;
    }
  }
  if (++count_ < 4) return true;
  if (flags_ & kHexHigh) {
    state_ = State::LowBackslash;
  } else {
    state_ = State::String;
  }
  flags_ &= kStringIsKey;
  return true;
}

bool JsonAcceptor::push(uint8_t c) {
  if (!is_whitespace(c)) whitespace_ = 0;  // inside strings it stays 0: whitespace is text there
  switch (state_) {
    case State::Start:
      if (is_whitespace(c)) return whitespace();
      if (c != '{') return fail();
      return open(State::ObjectOpen, false);
    case State::ObjectOpen:
      if (c == '}') return close(false);
      [[fallthrough]];
    case State::ObjectKey:
      if (is_whitespace(c)) return whitespace();
      if (c != '"') return fail();
      state_ = State::String;
      flags_ = kStringIsKey;
      return true;
    case State::Colon:
      if (is_whitespace(c)) return whitespace();
      if (c != ':') return fail();
      state_ = State::Value;
      return true;
    case State::ArrayOpen:
      if (c == ']') return close(true);
      [[fallthrough]];
    case State::Value:
      if (is_whitespace(c)) return whitespace();
      return value_start(c);
    case State::AfterValue:
      return after_value(c);
    case State::String:
      return string_byte(c);
    case State::Escape:
      switch (c) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          state_ = State::String;
          return true;
        case 'u':
          state_ = State::Hex;
          count_ = 0;
          return true;
        default:
          return fail();
      }
    case State::Hex:
      return hex_digit(c);
    case State::LowBackslash:
      if (c != '\\') return fail();
      state_ = State::LowU;
      return true;
    case State::LowU:
      if (c != 'u') return fail();
      state_ = State::Hex;
      count_ = 0;
      flags_ |= kHexLowHalf;
      return true;
    case State::Utf8:
      if (c < lo_ || c > hi_) return fail();
      lo_ = 0x80;
      hi_ = 0xBF;
      if (--count_ == 0) state_ = State::String;
      return true;
    case State::Literal: {
      const std::string_view word = kLiterals[lo_];
      if (c != static_cast<uint8_t>(word[count_])) return fail();
      if (++count_ == static_cast<uint8_t>(word.size())) return end_value();
      return true;
    }
    case State::Minus:
      if (c == '0') {
        state_ = State::Zero;
        return true;
      }
      if (c >= '1' && c <= '9') return integer_digit();
      return fail();
    case State::Integer:
      if (is_digit(c)) return integer_digit();
      [[fallthrough]];
    case State::Zero:
      if (c == '.') {
        state_ = State::Dot;
        return true;
      }
      if (c == 'e' || c == 'E') {
        state_ = State::Exponent;
        return true;
      }
      return after_value(c);
    case State::Dot:
      if (!is_digit(c)) return fail();
      state_ = State::Fraction;
      return true;
    case State::Fraction:
      if (is_digit(c)) return true;
      if (c == 'e' || c == 'E') {
        state_ = State::Exponent;
        return true;
      }
      return after_value(c);
    case State::Exponent:
      if (c == '+' || c == '-') {
        if (c == '-') flags_ |= kNegativeExponent;
        state_ = State::ExponentSign;
        return true;
      }
      [[fallthrough]];
    case State::ExponentSign:
      if (!is_digit(c)) return fail();
      return exponent_digit(c);
    case State::ExponentDigits:
      if (is_digit(c)) return exponent_digit(c);
      return after_value(c);
    case State::Done:
    case State::Failed:
      return fail();
  }
  return fail();
}

}  // namespace tektra::llm
