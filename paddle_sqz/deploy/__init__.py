"""paddle_sqz.deploy"""
