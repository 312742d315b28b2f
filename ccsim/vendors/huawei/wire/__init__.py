"""The Huawei face's HTTP side: the route table and its handlers (routes.py), what every request goes
through (dispatch.py) and the sign-in body (login.py)."""
