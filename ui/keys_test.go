package ui

import (
	"reflect"
	"testing"

	"charm.land/bubbles/v2/key"
)

// Every binding of the keymap has keys and help text; a binding left at its
// zero value would silently do nothing and vanish from the help.
func TestEveryBindingIsDefined(t *testing.T) {
	km := reflect.ValueOf(*DefaultKeyMap())
	for i := 0; i < km.NumField(); i++ {
		b := km.Field(i).Interface().(key.Binding)
		name := km.Type().Field(i).Name
		if len(b.Keys()) == 0 || b.Help().Key == "" || b.Help().Desc == "" {
			t.Errorf("binding %s is not defined", name)
		}
	}
}
