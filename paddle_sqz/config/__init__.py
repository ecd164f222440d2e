"""paddle_sqz.config"""
