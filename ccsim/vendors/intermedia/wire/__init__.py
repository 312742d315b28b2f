"""The Intermedia face's wire: the WSCalls it posts (webhooks.py) and HaloPSA's HTTP API it
serves (halo_api.py), over the plain state of ../model/."""
