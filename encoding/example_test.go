package encoding_test

import (
	"fmt"

	"github.com/nodenet/nodenet/encoding"
)

// A socket with setEncoding('utf8') receives 'あ' split over two reads; the
// character arrives whole with the second 'data' event. Writing a string with
// an encoding turns it into the bytes Node would send.
func Example() {
	enc, err := encoding.Parse("UTF-8")
	if err != nil {
		panic(err)
	}
	var d encoding.Decoder
	d.Reset(enc)
	var text []byte
	for _, read := range [][]byte{{'a', 0xe3, 0x81}, {0x82, 'b'}} {
		text = d.Decode(text[:0], read)
		fmt.Printf("data %q\n", text)
	}
	fmt.Printf("end %q\n", d.End(text[:0]))

	fmt.Printf("% x\n", encoding.Append(nil, "héllo", encoding.Latin1))
	fmt.Printf("% x\n", encoding.Append(nil, "abzz", encoding.Hex))
	fmt.Println(encoding.ByteLength("héllo", encoding.UTF16LE))

	_, err = encoding.Parse("foo")
	fmt.Println(err)
	// Output:
	// data "a"
	// data "あb"
	// end ""
	// 68 e9 6c 6c 6f
	// ab
	// 10
	// Unknown encoding: foo
}
