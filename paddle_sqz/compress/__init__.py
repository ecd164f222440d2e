"""paddle_sqz.compress"""
