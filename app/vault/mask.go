package vault

import (
	"handover/crypto/blind"
	"handover/store/model"
)

// MaskCustomer masks every identifier of c per the classification table.
func MaskCustomer(c model.Customer) model.Customer {
	c.Name = model.Masked(model.MaskName, c.Name)
	c.IDNumber = model.Masked(model.MaskID, c.IDNumber)
	c.Phone = model.Masked(model.MaskPhone, c.Phone)
	c.BankCard = model.Masked(model.MaskCard, c.BankCard)
	c.Address = model.Masked(model.MaskAddress, c.Address)
	return c
}

// RevealableFields are the customer fields that Reveal accepts.
var RevealableFields = []string{"name", "id_number", "phone", "bank_card", "address"}

func customerField(c model.Customer, field string) string {
	switch field {
	case "name":
		return c.Name
	case "id_number":
		return c.IDNumber
	case "phone":
		return c.Phone
	case "bank_card":
		return c.BankCard
	case "address":
		return c.Address
	}
	return ""
}

func blindKind(k SearchKind) blind.Kind {
	switch k {
	case ByIDNumber:
		return blind.IDNumber
	case ByPhone:
		return blind.Phone
	case ByContract:
		return blind.Contract
	}
	return blind.NamePrefix
}
