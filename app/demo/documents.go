package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"strconv"
	"sync"

	"handover/store"
	"handover/store/model"
)

// scanVariants is how many different pictures of each side a generator draws. Encoding a
// JPEG costs milliseconds, which made a demo book of 100,000 customers with documents take
// a quarter of an hour; each document is one of these pictures made unique by a comment.
const scanVariants = 16

// scanPool holds a generator's pictures, drawn once from its seed.
type scanPool struct {
	once sync.Once
	jpeg [2][][]byte
}

func (g *Generator) scans() *[2][][]byte {
	g.pool.once.Do(func() {
		r := rand.New(rand.NewPCG(g.Seed, 0x5CA45))
		for side := range 2 {
			for range scanVariants {
				var buf bytes.Buffer
				if err := jpeg.Encode(&buf, scan(r, side), &jpeg.Options{Quality: 80}); err != nil {
					panic(err) // encoding to memory cannot fail
				}
				g.pool.jpeg[side] = append(g.pool.jpeg[side], buf.Bytes())
			}
		}
	})
	return &g.pool.jpeg
}

// documents makes the two sides of an identity-card scan: a card-like picture with blocks
// where text and the photo would be, and scanner noise so the files compress like real scans.
func (g *Generator) documents(r *rand.Rand, i int) []store.DocumentData {
	var out []store.DocumentData
	pool := g.scans()
	for side, kind := range []string{"id_card_front", "id_card_back"} {
		pic := pool[side][r.IntN(scanVariants)]
		// A JPEG comment (FF FE) after the start-of-image marker makes every file unique.
		note := "demo customer " + strconv.Itoa(i+1) + " side " + strconv.Itoa(side+1)
		content := make([]byte, 0, len(pic)+4+len(note))
		content = append(content, pic[:2]...)
		content = append(content, 0xFF, 0xFE, byte((len(note)+2)>>8), byte(len(note)+2))
		content = append(append(content, note...), pic[2:]...)
		buf := bytes.NewBuffer(content)
		sum := sha256.Sum256(buf.Bytes())
		out = append(out, store.DocumentData{
			Meta: model.Document{
				Kind: kind, Name: "scan-" + strconv.Itoa(i+1) + "-" + strconv.Itoa(side+1) + ".jpg",
				MIME: "image/jpeg", SHA256: hex.EncodeToString(sum[:]),
			},
			Content: buf.Bytes(),
		})
	}
	return out
}

func scan(r *rand.Rand, side int) *image.RGBA {
	const w, h = 428, 270 // 85.6 × 54 mm at 5 px/mm
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	base := color.RGBA{235, 238, 242, 255}
	if side == 1 {
		base = color.RGBA{226, 236, 246, 255}
	}
	fill := func(x0, y0, x1, y1 int, c color.RGBA) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				img.SetRGBA(x, y, c)
			}
		}
	}
	fill(0, 0, w, h, base)
	if side == 0 {
		fill(300, 40, 400, 170, color.RGBA{180, 180, 190, 255}) // photo
		for line := range 5 {
			fill(30, 40+line*30, 90+r.IntN(170), 52+line*30, color.RGBA{60, 60, 70, 255})
		}
		fill(30, 220, 380, 236, color.RGBA{40, 40, 50, 255}) // number line
	} else {
		fill(30, 30, 90, 90, color.RGBA{200, 60, 60, 255}) // emblem
		for line := range 3 {
			fill(150, 60+line*40, 280+r.IntN(110), 74+line*40, color.RGBA{60, 60, 70, 255})
		}
	}
	// Scanner noise: the bytes that make real scans large.
	pix := img.Pix
	var bits uint64
	for p := 0; p < len(pix); p += 4 {
		if p%64 == 0 {
			bits = r.Uint64()
		}
		n := uint8(bits & 7)
		bits >>= 4
		pix[p] -= n
		pix[p+1] -= n
		pix[p+2] -= n
	}
	return img
}
