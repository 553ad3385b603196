// Package demo generates realistic synthetic loan books: Chinese names, valid identity
// numbers, mobile and bank card numbers, loans with repayment histories, and document scans.
// Every customer is a pure function of (seed, index), so a book is reproducible and can be
// generated in parallel in any order.
package demo

import (
	"math/rand/v2"
	"strconv"

	"handover/app/idcard"
	"handover/store"
	"handover/store/model"
)

// Reference is the date the demo book is "as of": repayments stop there and overdue days
// are counted to it. A fixed date keeps books reproducible.
var Reference = model.Date{Y: 2026, M: 6, D: 30}

// Generator makes the customers of one demo book.
type Generator struct {
	Seed      uint64
	Documents bool // add two scanned-document images per customer
	// DocumentLimit gives documents only to the first DocumentLimit customers (0: all), so
	// a large demo book stays quick to make.
	DocumentLimit int
	pool          scanPool
}

func (g *Generator) rng(i int) *rand.Rand {
	return rand.New(rand.NewPCG(g.Seed, uint64(i)*0x9E3779B97F4A7C15+1))
}

// Book returns customer i (0-based) of the book.
func (g *Generator) Book(i int) *store.Book {
	r := g.rng(i)
	b := &store.Book{}
	c := &b.Customer
	c.Name = name(r)
	ri, birth, number := g.identity(i)
	region := regions[ri]
	c.IDNumber = number
	c.Birth = birth
	if (c.IDNumber[16]-'0')%2 == 1 {
		c.Gender = "男"
	} else {
		c.Gender = "女"
	}
	c.Phone = g.mobile(i)
	c.BankCard, c.BankName = g.card(i)
	c.Address = region.name + streets[r.IntN(len(streets))] + strconv.Itoa(1+r.IntN(300)) + "号" +
		strconv.Itoa(1+r.IntN(30)) + "栋" + strconv.Itoa(101+r.IntN(20)*100+r.IntN(6)) + "室"
	c.Occupied = occupations[r.IntN(len(occupations))]
	c.Source = "demo"

	nLoans := 1
	if r.IntN(5) == 0 {
		nLoans = 2
	}
	for l := range nLoans {
		loan, reps := g.loan(r, i, l)
		b.Loans = append(b.Loans, loan)
		for _, rp := range reps {
			rp.Loan = uint32(l + 1)
			b.Repayments = append(b.Repayments, rp)
		}
	}
	if g.Documents && (g.DocumentLimit == 0 || i < g.DocumentLimit) {
		b.Documents = g.documents(r, i)
	}
	return b
}

func name(r *rand.Rand) string {
	total := 0
	for _, s := range surnames {
		total += s.w
	}
	n := r.IntN(total)
	sur := surnames[0].s
	for _, s := range surnames {
		if n < s.w {
			sur = s.s
			break
		}
		n -= s.w
	}
	given := string(givenChars[r.IntN(len(givenChars))])
	if r.IntN(10) < 7 {
		given += string(givenChars[r.IntN(len(givenChars))])
	}
	return sur + given
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// luhnComplete appends a valid Luhn check digit to a card number's body.
func luhnComplete(body string) string {
	b := []byte(body)
	sum := 0
	for i := len(b) - 1; i >= 0; i-- {
		d := int(b[i] - '0')
		if (len(b)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return string(append(b, byte('0'+(10-sum%10)%10)))
}

func idcardCheck(body string) byte { return idcard.CheckDigit(body) }

var terms = []int{3, 6, 6, 12, 12, 24}

// loan makes one loan and its payments up to the reference date. About one loan in eight
// stops paying at some point, which gives overdue days and the lower five-tier classes.
func (g *Generator) loan(r *rand.Rand, i, l int) (model.Loan, []model.Repayment) {
	term := terms[r.IntN(len(terms))]
	disb := model.Date{Y: 2024, M: 6, D: 1 + r.IntN(28)}.AddMonths(r.IntN(24))
	principal := model.Fen((5 + r.IntN(296)) * 1000 * 100) // 5,000 to 300,000 yuan
	loan := model.Loan{
		Contract:   "XD" + strconv.Itoa(disb.Y) + pad2(disb.M) + "-" + strconv.Itoa(100000+i) + "-" + strconv.Itoa(l+1),
		Principal:  principal,
		RateBP:     720 + r.IntN(1681),
		TermMonths: term,
		Disbursed:  disb,
		Maturity:   disb.AddMonths(term),
		Purpose:    purposes[r.IntN(len(purposes))],
	}
	stopAt := term + 1 // the installment the borrower stops paying at
	if r.IntN(8) == 0 {
		stopAt = 1 + r.IntN(term)
	}
	var reps []model.Repayment
	remaining := principal
	perMonth := principal / model.Fen(term)
	firstMissed := model.Date{}
	for k := 1; k <= term; k++ {
		due := disb.AddMonths(k)
		if Reference.Before(due) {
			break
		}
		if k >= stopAt {
			if firstMissed.IsZero() {
				firstMissed = due
			}
			continue
		}
		p := perMonth
		if k == term {
			p = remaining
		}
		interest := remaining * model.Fen(loan.RateBP) / 10000 / 12
		paid := due.AddMonths(0)
		if r.IntN(10) == 0 && due.D < 27 {
			paid.D += 1 + r.IntN(2) // a few pay a day or two late
		}
		reps = append(reps, model.Repayment{
			Contract: loan.Contract, Due: due, Paid: paid, Principal: p, Interest: interest,
			Channel: channels[r.IntN(len(channels))],
		})
		remaining -= p
	}
	loan.Outstanding = remaining
	switch {
	case !firstMissed.IsZero():
		loan.OverdueDays = firstMissed.DaysUntil(Reference)
		loan.Status = model.StatusOverdue
	case remaining == 0:
		loan.Status = model.StatusSettled
	default:
		loan.Status = model.StatusNormal
	}
	loan.Class = model.ClassForOverdue(loan.OverdueDays)
	return loan, reps
}
