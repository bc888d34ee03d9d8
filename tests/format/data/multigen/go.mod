module multigen

go 1.22
