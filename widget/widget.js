// The otvet chat widget: placeholder until the widget lands.
