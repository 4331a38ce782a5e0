package leakcheck

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// This file decodes the little of pprof's profile.proto that a goroutine
// profile uses (github.com/google/pprof/proto/profile.proto): samples with
// their counts, locations, functions and the string table. The linter reads
// saved profiles with it rather than depend on github.com/google/pprof.

// A protoSample is one stack of a goroutine profile and how many
// goroutines have it.
type protoSample struct {
	count int
	stack []Frame // innermost first, inlined frames included
}

var errTruncated = errors.New("truncated protocol buffer")

// parseProto reads a profile.proto, gzipped (as runtime/pprof writes it)
// or not.
func parseProto(data []byte) ([]protoSample, error) {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, err
		}
	}
	type line struct {
		function uint64
		line     int
	}
	type rawSample struct {
		locations []uint64
		values    []int64
	}
	type function struct{ name, file int64 }
	var (
		samples   []rawSample
		locations = map[uint64][]line{}
		functions = map[uint64]function{}
		strs      []string
	)
	err := fields(data, func(num int, wire int, v uint64, b []byte) error {
		switch num {
		case 2: // Sample
			var s rawSample
			err := fields(b, func(num, wire int, v uint64, b []byte) error {
				switch num {
				case 1:
					return uints(wire, v, b, func(x uint64) { s.locations = append(s.locations, x) })
				case 2:
					return uints(wire, v, b, func(x uint64) { s.values = append(s.values, int64(x)) })
				}
				return nil
			})
			samples = append(samples, s)
			return err
		case 4: // Location
			var id uint64
			var lines []line
			err := fields(b, func(num, wire int, v uint64, b []byte) error {
				switch num {
				case 1:
					id = v
				case 4: // Line
					var l line
					err := fields(b, func(num, wire int, v uint64, _ []byte) error {
						switch num {
						case 1:
							l.function = v
						case 2:
							l.line = int(v)
						}
						return nil
					})
					lines = append(lines, l)
					return err
				}
				return nil
			})
			locations[id] = lines
			return err
		case 5: // Function
			var id uint64
			var f function
			err := fields(b, func(num, wire int, v uint64, _ []byte) error {
				switch num {
				case 1:
					id = v
				case 2:
					f.name = int64(v)
				case 4:
					f.file = int64(v)
				}
				return nil
			})
			functions[id] = f
			return err
		case 6: // string_table
			if wire != 2 {
				return errors.New("string table entry is not a string")
			}
			strs = append(strs, string(b))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	str := func(i int64) string {
		if i < 0 || i >= int64(len(strs)) {
			return ""
		}
		return strs[i]
	}
	out := make([]protoSample, 0, len(samples))
	for _, s := range samples {
		ps := protoSample{count: 1}
		if len(s.values) > 0 {
			ps.count = int(s.values[0])
		}
		for _, id := range s.locations {
			lines, ok := locations[id]
			if !ok {
				return nil, fmt.Errorf("sample refers to location %d, which the profile lacks", id)
			}
			for _, l := range lines {
				f := functions[l.function]
				ps.stack = append(ps.stack, Frame{Function: str(f.name), File: str(f.file), Line: l.line})
			}
		}
		out = append(out, ps)
	}
	return out, nil
}

// fields calls f with each field of a protocol buffer message: its number,
// wire type, and its value (varint, fixed) or bytes (length-delimited).
func fields(data []byte, f func(num, wire int, v uint64, b []byte) error) error {
	for len(data) > 0 {
		key, n := binary.Uvarint(data)
		if n <= 0 {
			return errTruncated
		}
		data = data[n:]
		num, wire := int(key>>3), int(key&7)
		var v uint64
		var b []byte
		switch wire {
		case 0:
			v, n = binary.Uvarint(data)
			if n <= 0 {
				return errTruncated
			}
			data = data[n:]
		case 1:
			if len(data) < 8 {
				return errTruncated
			}
			v, data = binary.LittleEndian.Uint64(data), data[8:]
		case 2:
			l, n := binary.Uvarint(data)
			if n <= 0 || uint64(len(data)-n) < l {
				return errTruncated
			}
			b, data = data[n:n+int(l)], data[n+int(l):]
		case 5:
			if len(data) < 4 {
				return errTruncated
			}
			v, data = uint64(binary.LittleEndian.Uint32(data)), data[4:]
		default:
			return fmt.Errorf("unsupported protocol buffer wire type %d", wire)
		}
		if err := f(num, wire, v, b); err != nil {
			return err
		}
	}
	return nil
}

// uints reads a repeated integer field, packed (wire type 2) or not.
func uints(wire int, v uint64, b []byte, add func(uint64)) error {
	if wire != 2 {
		add(v)
		return nil
	}
	for len(b) > 0 {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			return errTruncated
		}
		add(x)
		b = b[n:]
	}
	return nil
}
