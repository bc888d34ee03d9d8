module tracetui/traces/programs

go 1.22
