// Package idcard checks and builds 18-digit resident identity numbers (GB 11643-1999).
package idcard

import (
	"errors"
	"time"
)

// weights are the ISO 7064 MOD 11-2 weights of the first 17 digits.
var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const checkChars = "10X98765432"

// CheckDigit returns the check character for the first 17 digits of an identity number.
// It panics if body is not 17 ASCII digits; callers validate first.
func CheckDigit(body string) byte {
	if len(body) != 17 {
		panic("idcard: body must have 17 digits")
	}
	sum := 0
	for i := range 17 {
		c := body[i]
		if c < '0' || c > '9' {
			panic("idcard: body must have 17 digits")
		}
		sum += int(c-'0') * weights[i]
	}
	return checkChars[sum%11]
}

// Provinces maps the two-digit province codes of GB/T 2260 to their names.
var Provinces = map[string]string{
	"11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
	"21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
	"31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
	"41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
	"50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
	"61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
	"71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}

// Reasons an identity number is refused. The texts are the stable reason codes.
var (
	ErrFormat    = errors.New("id_format")
	ErrChecksum  = errors.New("id_checksum")
	ErrBirthdate = errors.New("id_birthdate")
	ErrRegion    = errors.New("id_region")
)

// Validate checks an 18-digit number that has already been normalised (ASCII digits, upper
// case X). now bounds the birth date: nobody is born in the future.
func Validate(id string, now time.Time) error {
	if len(id) != 18 {
		return ErrFormat
	}
	for i := range 17 {
		if id[i] < '0' || id[i] > '9' {
			return ErrFormat
		}
	}
	if c := id[17]; (c < '0' || c > '9') && c != 'X' {
		return ErrFormat
	}
	if _, ok := Provinces[id[:2]]; !ok {
		return ErrRegion
	}
	birth, err := time.Parse("20060102", id[6:14])
	if err != nil || birth.Year() < 1890 || birth.After(now) {
		return ErrBirthdate
	}
	if CheckDigit(id[:17]) != id[17] {
		return ErrChecksum
	}
	return nil
}
