# makeresults makes a row to compute on
query: | makeresults | eval a=round(10/3, 2), b=upper("x") | table a b
---
a,b
3.33,X
